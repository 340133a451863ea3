import Foundation

/// Reads labelled comments as JSON lines, one object a line: `text` (or `content`, `comment`) and `label` (or `class`:
/// spam/ham, 1/0, true/false) are required; `author` (or `name`), `email`, `url` (or `website`) and `fold` are used
/// when present. The blog corpus under `Tests/data/blog-comments` and WordPress exports turned into files use it.
public enum SpamJSONLines {
    /// One labelled comment with the fold its file assigns it, if any.
    public struct Record: Sendable {
        public var sample: SpamSample
        public var isSpam: Bool
        /// The cross-validation fold the file gives (`fold`), so a corpus can keep one stable split.
        public var fold: Int?
    }

    /// Why a JSON-lines file could not be used; line numbers are 1-based.
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case notJSON(line: Int)
        case missingField(line: Int, String)
        case badLabel(line: Int, value: String)

        public var description: String {
            switch self {
            case .notJSON(let line): return "line \(line): not a JSON object"
            case .missingField(let line, let name): return "line \(line): no \(name)"
            case .badLabel(let line, let value): return "line \(line): unknown label '\(value)'"
            }
        }
    }

    /// The records of JSON-lines text; blank lines are skipped.
    public static func records(fromJSONLines text: String) throws -> [Record] {
        var out: [Record] = []
        var number = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw LoadError.notJSON(line: number)
            }
            func string(_ keys: String...) -> String? {
                for key in keys {
                    if let s = object[key] as? String, !s.isEmpty { return s }
                }
                return nil
            }
            guard let body = string("text", "content", "comment", "TEXT", "CONTENT") else { throw LoadError.missingField(line: number, "text") }
            guard let raw = object["label"] ?? object["class"] ?? object["LABEL"] ?? object["CLASS"] else {
                throw LoadError.missingField(line: number, "label")
            }
            let isSpam: Bool
            switch raw {
            case let b as Bool: isSpam = b
            case let n as NSNumber where n == 0 || n == 1: isSpam = n == 1
            case let s as String:
                switch s.trimmingCharacters(in: .whitespaces).lowercased() {
                case "1", "spam", "true", "yes": isSpam = true
                case "0", "ham", "false", "no", "not spam": isSpam = false
                default: throw LoadError.badLabel(line: number, value: s)
                }
            default: throw LoadError.badLabel(line: number, value: "\(raw)")
            }
            let sample = SpamSample(text: body, author: string("author", "name"), email: string("email"), url: string("url", "website"))
            out.append(Record(sample: sample, isSpam: isSpam, fold: (object["fold"] as? NSNumber)?.intValue))
        }
        return out
    }
}

/// A labelled file of either kind: JSON lines when its first non-blank character opens an object, else CSV.
public enum SpamCorpus {
    public static func records(from url: URL) throws -> [SpamJSONLines.Record] {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else { throw SpamCSV.LoadError.notUTF8 }
        if text.unicodeScalars.first(where: { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }) == "{" {
            return try SpamJSONLines.records(fromJSONLines: text)
        }
        return try SpamCSV.samples(fromCSV: text).map { SpamJSONLines.Record(sample: $0.0, isSpam: $0.1, fold: nil) }
    }

    /// Labelled samples of a CSV or JSON-lines file.
    public static func load(_ url: URL) throws -> [(SpamSample, Bool)] {
        try records(from: url).map { ($0.sample, $0.isSpam) }
    }

    /// Whether a file name is one the seed folder trains on.
    public static func isLabelledFile(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".jsonl")
    }
}
