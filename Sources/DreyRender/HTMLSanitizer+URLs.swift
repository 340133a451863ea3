import Foundation

/// The URL rules: which values an `href`, `src` or `cite` may keep, and which links leave the site.
extension SanitizerRun {
    struct CheckedURL {
        /// The part of the value to keep: all of it but surrounding spaces and controls.
        var range: Range<Int>
        /// True for an absolute or scheme-relative link whose host is not trusted.
        var leavesSite: Bool
    }

    /// What to keep of a decoded URL attribute, or nil when the attribute must go.
    func checkedURL(_ value: [UInt8]) -> CheckedURL? {
        var start = value.startIndex
        var end = value.endIndex
        while start < end && value[start] <= 0x20 { start += 1 }
        while end > start && value[end - 1] <= 0x20 { end -= 1 }
        // Browsers drop tabs and newlines anywhere in a URL, so `java\tscript:` is `javascript:`.
        // Judging it with every space and control removed errs towards refusing.
        let probe = value[start..<end].lazy.filter { $0 > 0x20 && $0 != 0x7F }
        let delimiter = probe.firstIndex {
            $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\")
                || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
        }
        if let delimiter, probe[delimiter] == UInt8(ascii: ":") {
            let scheme = String(decoding: probe[..<delimiter], as: UTF8.self).lowercased()
            guard policy.allowedSchemes.contains(scheme),
                !SanitizerPolicy.forbiddenSchemes.contains(scheme)
            else { return nil }
            let isWeb = scheme == "http" || scheme == "https"
            let trusted = isWeb && hasTrustedHost(probe[probe.index(after: delimiter)...])
            return CheckedURL(range: start..<end, leavesSite: !trusted)
        }
        guard policy.allowsRelativeURLs else { return nil }
        // `//host/path` (or `\\host`, the same to a browser) leaves the site without a scheme.
        let slashes = probe.prefix(2).filter(Self.isSlash).count
        guard slashes == 2 else { return CheckedURL(range: start..<end, leavesSite: false) }
        return CheckedURL(range: start..<end, leavesSite: !hasTrustedHost(probe))
    }

    private func hasTrustedHost(_ afterScheme: some Sequence<UInt8>) -> Bool {
        guard !trustedHosts.isEmpty, let host = Self.host(afterScheme: Array(afterScheme)[...])
        else {
            return false
        }
        return trustedHosts.contains(host)
    }

    /// The host of an http(s) URL after its `scheme:`, lowercased, without user info or port.
    /// Browsers accept any number of slashes or backslashes there, so all are skipped.
    static func host(afterScheme rest: ArraySlice<UInt8>) -> String? {
        var start = rest.startIndex
        while start < rest.endIndex && isSlash(rest[start]) { start += 1 }
        var end = start
        while end < rest.endIndex && !isSlash(rest[end]) && rest[end] != UInt8(ascii: "?")
            && rest[end] != UInt8(ascii: "#")
        {
            end += 1
        }
        var authority = rest[start..<end]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            authority = authority[(at + 1)...]
        }
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")),
            !authority[colon...].contains(UInt8(ascii: "]"))
        {
            authority = authority[..<colon]
        }
        guard !authority.isEmpty else { return nil }
        return String(decoding: authority, as: UTF8.self).lowercased()
    }

    private static func isSlash(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
    }
}
