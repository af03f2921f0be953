//! The cross-site request check. A browser names the page a request comes from in `Origin`
//! (or, when it leaves that out, `Referer`); a state-changing request from any page but the
//! portal's own is refused, whatever cookies it carries. SameSite cookies alone do not cover
//! sibling subdomains, older browsers or embedded web views.

use axum::http::{header, HeaderMap, Method};

/// The portal's own origin, `scheme://host[:port]`, as browsers write it in `Origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnOrigin(String);

impl OwnOrigin {
    /// The origin of `PUBLIC_URL`; `None` when it is not an absolute http(s) URL.
    pub fn of_public_url(public_url: &str) -> Option<OwnOrigin> {
        origin_of(public_url).map(OwnOrigin)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a request may go on: reads pass; anything else must name this origin.
    pub fn admits(&self, method: &Method, headers: &HeaderMap) -> bool {
        if is_safe(method) {
            return true;
        }
        let named = match headers.get(header::ORIGIN) {
            // "null" (sandboxed frames, some redirects) names no origin, so it is refused.
            Some(origin) => origin.to_str().ok().and_then(origin_of),
            None => headers.get(header::REFERER).and_then(|r| r.to_str().ok()).and_then(origin_of),
        };
        named.as_deref() == Some(self.0.as_str())
    }
}

pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `scheme://host[:port]` of an absolute URL, lower-cased, without a default port.
fn origin_of(url: &str) -> Option<String> {
    let uri: axum::http::Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = uri.authority()?;
    // Credentials in a URL are no part of an origin, and a browser never sends them in one.
    if authority.as_str().contains('@') {
        return None;
    }
    let host = authority.host().to_ascii_lowercase();
    Some(match authority.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Where a plain form post may be sent back to: a path on the portal itself. Anything else
/// (another site, a scheme-relative `//host`, a backslash trick) becomes the home page.
pub fn own_redirect(location: &str, own: &OwnOrigin) -> String {
    if location.starts_with('/') && !location.starts_with("//") && !location.starts_with("/\\") {
        return location.to_string();
    }
    if let Some(rest) = location.strip_prefix(own.as_str()) {
        if rest.is_empty() {
            return "/".into();
        }
        if rest.starts_with('/') && !rest.starts_with("//") {
            return rest.to_string();
        }
    }
    "/".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    #[test]
    fn the_public_url_is_reduced_to_its_origin() {
        let own = |url| OwnOrigin::of_public_url(url).map(|o| o.0);
        assert_eq!(own("https://Portal.Example.com/"), Some("https://portal.example.com".into()));
        assert_eq!(own("https://portal.example.com:443/fssc"), Some("https://portal.example.com".into()));
        assert_eq!(own("http://127.0.0.1:3000"), Some("http://127.0.0.1:3000".into()));
        assert_eq!(own("portal.example.com"), None);
        assert_eq!(own("ftp://portal.example.com"), None);
    }

    #[test]
    fn only_the_own_origin_may_change_state() {
        let own = OwnOrigin::of_public_url("https://portal.example.com").expect("origin");
        let post = Method::POST;
        assert!(own.admits(&post, &headers(&[(header::ORIGIN, "https://portal.example.com")])));
        assert!(!own.admits(&post, &headers(&[(header::ORIGIN, "https://evil.example")])));
        assert!(!own.admits(&post, &headers(&[(header::ORIGIN, "https://sub.portal.example.com")])));
        assert!(!own.admits(&post, &headers(&[(header::ORIGIN, "http://portal.example.com")])));
        assert!(!own.admits(&post, &headers(&[(header::ORIGIN, "null")])));
        // Without Origin the Referer decides; without either the request is refused.
        assert!(own.admits(&post, &headers(&[(header::REFERER, "https://portal.example.com/requests?x=1")])));
        assert!(!own.admits(&post, &headers(&[(header::REFERER, "https://portal.example.com.evil.example/")])));
        assert!(!own.admits(&post, &HeaderMap::new()));
        // Origin wins over a Referer that agrees.
        assert!(!own.admits(
            &Method::DELETE,
            &headers(&[(header::ORIGIN, "https://evil.example"), (header::REFERER, "https://portal.example.com/")])
        ));
        assert!(own.admits(&Method::GET, &HeaderMap::new()));
    }

    #[test]
    fn redirects_stay_on_the_portal() {
        let own = OwnOrigin::of_public_url("https://portal.example.com").expect("origin");
        assert_eq!(own_redirect("/requests/new?x=1", &own), "/requests/new?x=1");
        assert_eq!(own_redirect("https://portal.example.com/account", &own), "/account");
        assert_eq!(own_redirect("https://portal.example.com", &own), "/");
        assert_eq!(own_redirect("http://evil.example/attack.html?", &own), "/");
        assert_eq!(own_redirect("//evil.example/", &own), "/");
        assert_eq!(own_redirect("/\\evil.example/", &own), "/");
        assert_eq!(own_redirect("https://portal.example.com.evil.example/", &own), "/");
        assert_eq!(own_redirect("https://portal.example.com//evil.example/", &own), "/");
    }
}
