//! The file picker: drag and drop or choose, one upload per file with its own progress bar,
//! and removal before the files are submitted.

use crate::{attachments::UploadedFile, i18n::*, kernel::AttachmentId};
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum UploadState {
    Uploading,
    Done(UploadedFile),
    /// Why the server refused the file, or none when it was not reached; shown in the
    /// page's current language.
    Failed(Option<crate::error::AppError>),
}

/// A file chosen in this form, and how its upload goes.
#[derive(Debug, Clone)]
pub struct PendingFile {
    pub key: u64,
    pub name: String,
    pub size: f64,
    pub slot: Option<String>,
    /// 0.0 to 1.0.
    pub progress: RwSignal<f64>,
    pub state: RwSignal<UploadState>,
}

impl PendingFile {
    pub fn uploaded(&self) -> Option<AttachmentId> {
        match self.state.get() {
            UploadState::Done(file) => Some(file.id),
            _ => None,
        }
    }
}

/// Every finished upload of `files`, with its slot, as a submission sends them.
pub fn finished(files: &[PendingFile]) -> Vec<(AttachmentId, Option<String>)> {
    files.iter().filter_map(|f| f.uploaded().map(|id| (id, f.slot.clone()))).collect()
}

/// Whether any upload still runs; submitting waits for them.
pub fn any_uploading(files: &[PendingFile]) -> bool {
    files.iter().any(|f| f.state.get() == UploadState::Uploading)
}

pub fn format_size(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KB", (bytes / 1024.0).max(1.0))
    }
}

/// A drop zone with a file picker. Files chosen here are uploaded at once into `files`,
/// tagged with `slot`.
#[component]
pub fn FilePicker(
    files: RwSignal<Vec<PendingFile>>,
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] slot_key: Option<String>,
    #[prop(into)] accept: String,
    #[prop(optional, into)] help: Option<Signal<String>>,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let dragging = RwSignal::new(false);
    let help_id = format!("{id}-help");
    let slot = slot_key;
    let slot_for_input = slot.clone();
    let slot_for_drop = slot.clone();
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                if let Some(list) = input.files() {
                    browser::start_all(files, list, slot_for_input.clone());
                }
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &slot_for_input);
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(list) = ev.data_transfer().and_then(|d| d.files()) {
            browser::start_all(files, list, slot_for_drop.clone());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &slot_for_drop;
    };
    let mine = move || {
        let slot = slot.clone();
        files.get().into_iter().filter(move |f| f.slot == slot).collect::<Vec<_>>()
    };
    view! {
        <div class="field">
            <span class="label" id=format!("{id}-label")>{label}</span>
            <div
                class="dropzone"
                class:dropzone--active=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for=id.clone() class="button">
                    {t!(i18n, files.choose)}
                </label>
                <input
                    id=id.clone()
                    class="visually-hidden"
                    type="file"
                    multiple
                    accept=accept
                    aria-labelledby=format!("{id}-label")
                    aria-describedby=help_id.clone()
                    aria-invalid=move || invalid.map(|i| i.get().to_string())
                    on:change=on_change
                />
                <span class="dropzone__hint">{t!(i18n, files.drop_here)}</span>
            </div>
            {help.map(|help| view! { <p id=help_id.clone() class="help">{help}</p> })}
            <ul class="file-list" aria-live="polite">
                <For each=mine key=|f| f.key let:file>
                    <FileRow file files />
                </For>
            </ul>
        </div>
    }
}

#[component]
fn FileRow(file: PendingFile, files: RwSignal<Vec<PendingFile>>) -> impl IntoView {
    let i18n = use_i18n();
    let key = file.key;
    let state = file.state;
    let progress = file.progress;
    let name = file.name.clone();
    let remove = move |_| {
        if let UploadState::Done(done) = state.get_untracked() {
            #[cfg(feature = "hydrate")]
            browser::delete_staged(done.id);
            #[cfg(not(feature = "hydrate"))]
            let _ = done;
        }
        files.update(|list| list.retain(|f| f.key != key));
    };
    let remove_label = {
        let name = name.clone();
        move || format!("{} {}", t_string!(i18n, files.remove), name)
    };
    view! {
        <li class="file-row" data-state=move || match state.get() {
            UploadState::Uploading => "uploading",
            UploadState::Done(_) => "done",
            UploadState::Failed(_) => "failed",
        }>
            <span class="file-row__name">{name.clone()}</span>
            <span class="file-row__size">{format_size(file.size)}</span>
            {move || match state.get() {
                UploadState::Uploading => view! {
                    <progress
                        max="100"
                        value=move || (progress.get() * 100.0).round().to_string()
                        aria-label=move || t_string!(i18n, files.uploading).to_string()
                    ></progress>
                }
                .into_any(),
                UploadState::Done(_) => view! { <span class="file-row__ok">{t!(i18n, files.uploaded)}</span> }.into_any(),
                UploadState::Failed(message) => view! {
                    <span class="file-row__error" role="alert">
                        {move || match &message {
                            Some(error) => error.message(i18n.get_locale()),
                            None => t_string!(i18n, errors.unreachable).to_string(),
                        }}
                    </span>
                }
                .into_any(),
            }}
            <button type="button" class="button button--quiet button--small" on:click=remove aria-label=remove_label>
                {t!(i18n, files.remove)}
            </button>
        </li>
    }
}

/// Uploads a files list from the browser, one request each, with progress.
#[cfg(feature = "hydrate")]
mod browser {
    use super::{PendingFile, UploadState};
    use crate::{attachments::UploadedFile, kernel::AttachmentId};
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast};

    thread_local! {
        static NEXT_KEY: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
    }

    pub fn start_all(files: RwSignal<Vec<PendingFile>>, list: web_sys::FileList, slot: Option<String>) {
        for i in 0..list.length() {
            if let Some(file) = list.get(i) {
                let key = NEXT_KEY.with(|k| {
                    let v = k.get();
                    k.set(v + 1);
                    v
                });
                let pending = PendingFile {
                    key,
                    name: file.name(),
                    size: file.size(),
                    slot: slot.clone(),
                    progress: RwSignal::new(0.0),
                    state: RwSignal::new(UploadState::Uploading),
                };
                files.update(|l| l.push(pending.clone()));
                upload(file, pending);
            }
        }
    }

    fn failed(pending: &PendingFile, error: Option<crate::error::AppError>) {
        pending.state.set(UploadState::Failed(error));
    }

    fn upload(file: web_sys::File, pending: PendingFile) {
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            return failed(&pending, None);
        };
        if xhr.open("POST", "/files").is_err() {
            return failed(&pending, None);
        }
        let name: String = js_sys::encode_uri_component(&file.name()).into();
        let _ = xhr.set_request_header("X-File-Name", &name);
        let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
        let progress = pending.progress;
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            if ev.length_computable() && ev.total() > 0.0 {
                progress.set(ev.loaded() / ev.total());
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        on_progress.forget();
        let done_xhr = xhr.clone();
        let done_pending = pending.clone();
        let on_done = Closure::<dyn FnMut()>::new(move || {
            let status = done_xhr.status().unwrap_or(0);
            let body = done_xhr.response_text().ok().flatten().unwrap_or_default();
            if status == 201 {
                match serde_json::from_str::<UploadedFile>(&body) {
                    Ok(file) => {
                        done_pending.progress.set(1.0);
                        done_pending.state.set(UploadState::Done(file));
                    }
                    Err(_) => failed(&done_pending, None),
                }
            } else {
                let error = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|mut v| v.get_mut("error").map(serde_json::Value::take))
                    .and_then(|e| serde_json::from_value::<crate::error::AppError>(e).ok());
                failed(&done_pending, error);
            }
        });
        xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
        on_done.forget();
        if xhr.send_with_opt_blob(Some(&file)).is_err() {
            failed(&pending, None);
        }
    }

    pub fn delete_staged(id: AttachmentId) {
        if let Ok(xhr) = web_sys::XmlHttpRequest::new() {
            if xhr.open("DELETE", &format!("/files/{id}")).is_ok() {
                let _ = xhr.send();
            }
        }
    }
}
