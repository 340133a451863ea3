import Foundation

/// URL slugs as WordPress makes them: lowercase ASCII letters, digits and hyphens.
public enum Slug {
    public static let maxLength = 200

    /// A slug from a title: accents folded, everything else turned into single hyphens.
    public static func make(from text: String) -> String {
        let folded =
            text.applyingTransform(.toLatin, reverse: false)?
            .applyingTransform(.stripDiacritics, reverse: false) ?? text
        var out = ""
        var pendingHyphen = false
        for scalar in folded.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingHyphen && !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                continue  // "don't" becomes "dont", as WordPress does
            } else {
                pendingHyphen = true
            }
            if out.count >= maxLength { break }
        }
        return out
    }

    /// Whether `slug` is already in canonical form.
    public static func isValid(_ slug: String) -> Bool {
        !slug.isEmpty && slug.count <= maxLength && !slug.hasPrefix("-") && !slug.hasSuffix("-")
            && slug.unicodeScalars.allSatisfy {
                ($0.isASCII && CharacterSet.alphanumerics.contains($0) && !CharacterSet.uppercaseLetters.contains($0)) || $0 == "-"
            }
    }

    /// The first of `base`, `base-2`, `base-3`… that `isTaken` says is free.
    public static func unique(_ base: String, isTaken: (String) async throws -> Bool) async rethrows -> String {
        let base = base.isEmpty ? "untitled" : base
        if try await !isTaken(base) { return base }
        var n = 2
        while try await isTaken("\(base)-\(n)") { n += 1 }
        return "\(base)-\(n)"
    }
}
