import Foundation

extension String {
    /// The text percent-encoded for a query value, letters and digits left as they are: Foundation's
    /// `addingPercentEncoding(withAllowedCharacters: .alphanumerics)`, by hand for ASCII text. Foundation bridges every
    /// call to a CFString and asks Unicode's tables per character; the reader bar and the comment form's sign-in link
    /// encode the page's path on every response. Other text (non-ASCII letters are left as they are there) still
    /// goes to Foundation.
    public var percentEncodedAlphanumerics: String {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
