import Foundation

extension Avatar {
    /// `identicon(key:)` as pixels: `scale`×96 pixels square, three bytes (RGB) each, row by row, the same pattern and
    /// colour, for a PNG (Mastodon shows no SVG icons).
    public static func identiconPixels(key: String, scale: Int = 2) -> (size: Int, rgb: [UInt8]) {
        let bytes = stride(from: 0, to: 32, by: 2).map { i -> UInt8 in
            let start = key.utf8.index(key.utf8.startIndex, offsetBy: i)
            return UInt8(String(key[start..<key.utf8.index(start, offsetBy: 2)]), radix: 16) ?? 0
        }
        let hue = (Int(bytes[0]) << 8 | Int(bytes[1])) % 360
        let colour = rgb(hue: Double(hue), saturation: 0.55, lightness: 0.45)
        var filled = Set<Int>()  // column + 5 * row, on the 5×5 grid
        for row in 0..<5 {
            for column in 0..<3 {
                let bit = row * 3 + column
                guard bytes[2 + bit / 8] >> (bit % 8) & 1 == 1 else { continue }
                for x in (column == 2 ? [2] : [column, 4 - column]) { filled.insert(x + 5 * row) }
            }
        }
        let size = 96 * scale
        var pixels = [UInt8](repeating: 0xf0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                // Cells are 16 units from an 8-unit margin, as in the SVG's 96-unit view box.
                let (u, v) = (x / scale, y / scale)
                guard (8..<88).contains(u), (8..<88).contains(v), filled.contains((u - 8) / 16 + 5 * ((v - 8) / 16)) else { continue }
                let i = (y * size + x) * 3
                (pixels[i], pixels[i + 1], pixels[i + 2]) = colour
            }
        }
        return (size, pixels)
    }

    /// CSS's `hsl()` in 8-bit RGB.
    static func rgb(hue: Double, saturation: Double, lightness: Double) -> (UInt8, UInt8, UInt8) {
        let c = (1 - abs(2 * lightness - 1)) * saturation
        let h = hue / 60
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch h {
        case ..<1: (r, g, b) = (c, x, 0)
        case ..<2: (r, g, b) = (x, c, 0)
        case ..<3: (r, g, b) = (0, c, x)
        case ..<4: (r, g, b) = (0, x, c)
        case ..<5: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        let m = lightness - c / 2
        func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, ((v + m) * 255).rounded()))) }
        return (byte(r), byte(g), byte(b))
    }
}
