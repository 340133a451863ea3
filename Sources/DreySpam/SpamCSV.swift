import Foundation

/// Reads labelled comment corpora such as the YouTube Spam Collection (CONTENT and CLASS columns, 1 = spam).
public enum SpamCSV {
    /// Why a labelled CSV could not be used.
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        /// The header lacks a column the loader needs.
        case missingColumn(String)
        /// A CLASS value is neither 0/1 nor ham/spam (row number is 1-based, header included).
        case badLabel(row: Int, value: String)
        /// The file is not UTF-8.
        case notUTF8

        /// A one-line message for the command line.
        public var description: String {
            switch self {
            case .missingColumn(let name): return "missing column \(name)"
            case .badLabel(let row, let value): return "row \(row): unknown class '\(value)'"
            case .notUTF8: return "file is not UTF-8"
            }
        }
    }

    /// Loads labelled samples from a CSV file: CONTENT (or TEXT) and CLASS (or LABEL) are required, AUTHOR, EMAIL and URL optional.
    public static func load(_ url: URL) throws -> [(SpamSample, Bool)] {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else { throw LoadError.notUTF8 }
        return try samples(fromCSV: text)
    }

    /// Loads labelled samples from CSV text (see `load`).
    public static func samples(fromCSV text: String) throws -> [(SpamSample, Bool)] {
        let rows = parse(text)
        guard let header = rows.first else { return [] }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        func column(_ candidates: String...) -> Int? { candidates.lazy.compactMap { names.firstIndex(of: $0) }.first }
        guard let content = column("CONTENT", "TEXT", "COMMENT") else { throw LoadError.missingColumn("CONTENT") }
        guard let label = column("CLASS", "LABEL") else { throw LoadError.missingColumn("CLASS") }
        let author = column("AUTHOR", "NAME")
        let email = column("EMAIL")
        let site = column("URL", "WEBSITE")
        var out: [(SpamSample, Bool)] = []
        out.reserveCapacity(rows.count - 1)
        for (offset, row) in rows.dropFirst().enumerated() {
            if row.count == 1 && row[0].isEmpty { continue }  // blank line
            func field(_ index: Int?) -> String? {
                guard let index, index < row.count, !row[index].isEmpty else { return nil }
                return row[index]
            }
            let raw = (field(label) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let isSpam: Bool
            switch raw {
            case "1", "spam", "true", "yes": isSpam = true
            case "0", "ham", "false", "no", "not spam": isSpam = false
            default: throw LoadError.badLabel(row: offset + 2, value: raw)
            }
            let sample = SpamSample(text: field(content) ?? "", author: field(author), email: field(email), url: field(site))
            out.append((sample, isSpam))
        }
        return out
    }

    /// Splits RFC 4180 CSV into rows of fields: quoted fields may hold commas, CR/LF and doubled quotes; CRLF, LF or CR end a row.
    /// U+FEFF is dropped everywhere: the corpus ends many comments with it and a BOM may open the file.
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var fieldStarted = false  // distinguishes an empty last field from no field at all
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending {
                pending = nil
                return p
            }
            return scalars.next()
        }
        func endField() {
            row.append(String(field))
            field = .init()
            fieldStarted = false
        }
        func endRow() {
            endField()
            rows.append(row)
            row = []
        }
        while let c = next() {
            if c == "\u{FEFF}" { continue }
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" {
                            field.append("\"")
                        } else {
                            inQuotes = false
                            pending = n
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true
                fieldStarted = true
            case ",":
                endField()
                fieldStarted = true
            case "\r":
                if let n = next(), n != "\n" { pending = n }
                endRow()
            case "\n": endRow()
            default:
                field.append(c)
                fieldStarted = true
            }
        }
        if fieldStarted || !field.isEmpty || !row.isEmpty { endRow() }
        return rows
    }
}
