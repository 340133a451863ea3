import Foundation

/// Hostile and awkward inputs built from images libvips makes, for tests and benchmarks: a phone photo's EXIF
/// (orientation and a GPS position), a bomb's header.
extension SyntheticImage {
    /// The GPS latitude written into `withEXIF`: 48°51'29.57" as TIFF rationals, bytes a leak would show.
    public static let gpsLatitude: [UInt8] = rational(48, 1) + rational(51, 1) + rational(2957, 100)

    /// `jpeg` with an EXIF block (APP1) saying "rotate 90° clockwise to show" and where it was taken.
    public static func withEXIF(_ jpeg: Data, orientation: UInt16 = 6) -> Data {
        var tiff: [UInt8] = Array("II".utf8) + le16(42) + le32(8)
        // IFD0 at 8: Orientation, and the pointer to the GPS IFD at 38.
        tiff += le16(2)
        tiff += le16(0x0112) + le16(3) + le32(1) + le16(orientation) + le16(0)
        tiff += le16(0x8825) + le16(4) + le32(1) + le32(38)
        tiff += le32(0)
        // GPS IFD at 38: LatitudeRef "N", Latitude as three rationals at 68.
        tiff += le16(2)
        tiff += le16(0x0001) + le16(2) + le32(2) + Array("N".utf8) + [0, 0, 0]
        tiff += le16(0x0002) + le16(5) + le32(3) + le32(68)
        tiff += le32(0)
        tiff += gpsLatitude
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = UInt16(payload.count + 2)
        let app1: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        var bytes = [UInt8](jpeg)
        bytes.insert(contentsOf: app1, at: 2)  // right after SOI
        return Data(bytes)
    }

    /// `jpeg` with its frame header changed to declare `width`×`height`: a few kilobytes that would
    /// decode to gigabytes.
    public static func declaring(_ jpeg: Data, width: UInt16, height: UInt16) -> Data {
        var bytes = [UInt8](jpeg)
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else {
                i += 1
                continue
            }
            let marker = bytes[i + 1]
            if marker == 0xC0 || marker == 0xC2 {
                bytes[i + 5] = UInt8(height >> 8)
                bytes[i + 6] = UInt8(height & 0xFF)
                bytes[i + 7] = UInt8(width >> 8)
                bytes[i + 8] = UInt8(width & 0xFF)
                return Data(bytes)
            }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            i += 2 + length
        }
        return Data(bytes)
    }

    public static func contains(_ data: Data, _ needle: [UInt8]) -> Bool {
        let hay = [UInt8](data)
        guard needle.count <= hay.count else { return false }
        for start in 0...(hay.count - needle.count) where hay[start] == needle[0] {
            if Array(hay[start..<start + needle.count]) == needle { return true }
        }
        return false
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) } }
    private static func rational(_ n: UInt32, _ d: UInt32) -> [UInt8] { le32(n) + le32(d) }
}
