import Foundation

/// Turns the bytes of HTML text or an attribute value into the characters a browser would see.
///
/// Character references are resolved exactly once, here, so every later check (a URL scheme, a
/// `type=checkbox`) looks at the real value, and the writer re-escapes that value in full:
/// `&#106;avascript:` is checked as `javascript:`, and `&amp;lt;` stays text.
enum HTMLCharacterReferences {
    /// Appends the decoded text of `range`, with CR and CRLF made LF and control characters
    /// other than tab and LF removed.
    static func decode(
        _ input: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        inAttribute: Bool,
        entities: HTMLEntityTable,
        into output: inout [UInt8]
    ) {
        var index = range.lowerBound
        var copied = index
        let end = range.upperBound
        while index < end {
            let byte = input[index]
            // Most bytes need nothing; they are copied in runs.
            if byte >= 0x20 && byte != UInt8(ascii: "&") && byte != 0x7F && byte != 0xC2
                || byte == 0x09 || byte == 0x0A
            {
                index += 1
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[copied..<index]))
            switch byte {
            case UInt8(ascii: "&"):
                if let next = appendReference(
                    input, at: index, end: end, inAttribute, entities, &output)
                {
                    index = next
                } else {
                    output.append(byte)
                    index += 1
                }
            case UInt8(ascii: "\r"):
                output.append(UInt8(ascii: "\n"))
                index += index + 1 < end && input[index + 1] == UInt8(ascii: "\n") ? 2 : 1
            case 0xC2 where index + 1 < end && (0x80...0x9F).contains(input[index + 1]):
                index += 2  // a C1 control, U+0080…U+009F
            case 0xC2:
                output.append(byte)
                index += 1
            default:
                index += 1  // the other C0 controls and DEL
            }
            copied = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[copied..<end]))
    }

    /// Resolves the reference starting at the `&` at `start`; returns the index after it, or nil
    /// when the `&` is a literal ampersand.
    private static func appendReference(
        _ input: UnsafeBufferPointer<UInt8>,
        at start: Int,
        end: Int,
        _ inAttribute: Bool,
        _ table: HTMLEntityTable,
        _ output: inout [UInt8]
    ) -> Int? {
        let first = start + 1
        guard first < end else { return nil }
        if input[first] == UInt8(ascii: "#") {
            return appendNumeric(input, at: first + 1, end: end, &output)
        }

        var nameEnd = first
        while nameEnd < end && nameEnd - first <= table.longestName
            && input[nameEnd].isASCIIAlphanumeric
        {
            nameEnd += 1
        }
        guard nameEnd > first else { return nil }
        if nameEnd < end && input[nameEnd] == UInt8(ascii: ";"),
            let value = table.values[String(decoding: input[first..<nameEnd], as: UTF8.self)]
        {
            appendFiltered(value.unicodeScalars, &output)
            return nameEnd + 1
        }
        // Without a semicolon only the legacy names count, longest first (`&notit` is `¬it`).
        let longest = min(nameEnd - first, table.longestLegacyName)
        let key = HTMLEntityTable.legacyKey(input[first..<first + longest])
        for length in stride(from: longest, through: 2, by: -1) {
            let prefix = length == 8 ? key : key & (1 << (8 * UInt64(length)) - 1)
            guard let value = table.legacyValues[prefix] else { continue }
            let following = first + length < end ? input[first + length] : 0
            // In attributes browsers leave `&copy=1` alone so query strings survive.
            if inAttribute && (following.isASCIIAlphanumeric || following == UInt8(ascii: "=")) {
                return nil
            }
            appendFiltered(value.unicodeScalars, &output)
            return first + length
        }
        return nil
    }

    private static func appendNumeric(
        _ input: UnsafeBufferPointer<UInt8>,
        at start: Int,
        end: Int,
        _ output: inout [UInt8]
    ) -> Int? {
        var index = start
        let isHex = index < end && (input[index] | 0x20) == UInt8(ascii: "x")
        if isHex { index += 1 }
        let digitsStart = index
        var value: UInt32 = 0
        while index < end, let digit = digitValue(input[index], hex: isHex) {
            // Saturate instead of overflowing; anything past U+10FFFF is invalid anyway.
            value = value > 0x10FFFF ? 0x110000 : value * (isHex ? 16 : 10) + digit
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < end && input[index] == UInt8(ascii: ";") { index += 1 }
        appendFiltered(CollectionOfOne(scalar(forCodePoint: value)), &output)
        return index
    }

    /// The character a browser substitutes for a numeric reference.
    static func scalar(forCodePoint value: UInt32) -> Unicode.Scalar {
        if (0x80...0x9F).contains(value), let mapped = windows1252[value] {
            // Old CMS content is full of `&#150;` meaning an en dash, as browsers honour.
            return Unicode.Scalar(mapped)!
        }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static func appendFiltered(
        _ scalars: some Sequence<Unicode.Scalar>, _ output: inout [UInt8]
    ) {
        for scalar in scalars {
            switch scalar.value {
            case 0x0D: output.append(UInt8(ascii: "\n"))
            case 0x09, 0x0A: output.append(UInt8(scalar.value))
            case 0..<0x20, 0x7F...0x9F: continue
            default: output.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        if byte.isASCIIDigit { return UInt32(byte - 0x30) }
        let lower = byte | 0x20
        if hex && lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") {
            return UInt32(lower - 0x57)
        }
        return nil
    }

    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020,
        0x87: 0x2021, 0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152,
        0x8E: 0x017D, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022,
        0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC, 0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A,
        0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]
}
