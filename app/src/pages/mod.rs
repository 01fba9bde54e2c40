pub mod account;
pub mod authentication;
pub mod sections;
pub mod shell;
pub mod signin;
pub mod users;

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="notfound">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to the home page"</a></p>
        </main>
    }
}

/// Renders a loaded server-function result, or its error in the page's error style.
pub(crate) fn loaded<T>(r: Result<T, ServerFnError>, render: impl FnOnce(T) -> AnyView) -> AnyView {
    match r {
        Ok(v) => render(v),
        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

/// Full page load: the next page is rendered by the server with the new session state.
pub(crate) fn go_to(path: &str) {
    let _ = window().location().set_href(path);
}
