//! Keeps each static in its own data segment of the WASM module, so that the splitter can move
//! a page's data into that page's chunk instead of leaving all of it in the main module.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
