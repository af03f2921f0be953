//! The browser entry point: it only hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages live in WASM chunks of their own, so hydration waits for the page's chunk.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::tachys::dom::body();
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        // A marker for the browser tests: the page is interactive from here on.
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"__fsscHydrated".into(), &true.into());
        }
    });
}
