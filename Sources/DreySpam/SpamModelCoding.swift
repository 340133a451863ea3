import Foundation

/// Compact storage for a site's model: a small header, the cue weights, then only the non-zero n-gram weights,
/// delta-coded indices and 16-bit quantised values as variable-length integers (a corpus-trained model is a few hundred KB).
extension SpamModel: Codable {
    /// Why stored model bytes could not be read back.
    public enum DecodingError: Error, Equatable {
        /// Not a Drey spam model, or from a newer format.
        case badHeader
        /// The bytes end early or hold impossible values.
        case corrupt
    }

    static let magic: [UInt8] = Array("DSPM".utf8)
    static let formatVersion: UInt8 = 1

    /// The model as bytes for a database column; `init(data:)` reads them back.
    public func encoded() throws -> Data {
        var out = ByteWriter()
        out.bytes.append(contentsOf: Self.magic)
        out.bytes.append(Self.formatVersion)
        let t = tuning
        for b in [t.bits, t.charMin, t.charMax, t.bigrams ? 1 : 0] { out.bytes.append(UInt8(b)) }
        for f in [
            t.wordWeight, t.charWeight, t.cueScale, t.lambda, t.eta0, t.hamWeight, t.threshold, t.onlineRate,
            t.bayesWeight, t.bayesAlpha,
        ] { out.float(f) }
        out.varint(UInt64(t.epochs))
        out.varint(UInt64(t.onlineSteps))
        out.varint(t.seed)
        out.varint(UInt64(examples))
        out.float(bias)
        out.varint(UInt64(cueWeights.count))
        for w in cueWeights { out.float(w) }
        // Quantise to steps of max|w|/32767: weights smaller than half a step round to zero and are not stored.
        let maxAbs = weights.reduce(Float(0)) { max($0, abs($1)) }
        let step = maxAbs > 0 ? maxAbs / 32767 : 1
        out.float(step)
        var entries: [(Int, Int64)] = []
        for (i, w) in weights.enumerated() where w != 0 {
            let q = Int64((w / step).rounded())
            if q != 0 { entries.append((i, q)) }
        }
        out.varint(UInt64(entries.count))
        var last = -1
        for (i, q) in entries {
            out.varint(UInt64(i - last))
            last = i
            out.varint(UInt64(bitPattern: (q << 1) ^ (q >> 63)))  // zigzag: small magnitudes, few bytes
        }
        bayes.write(to: &out)
        return Data(out.bytes)
    }

    /// Reads a model written by `encoded()`.
    public init(data: Data) throws {
        var r = ByteReader(bytes: [UInt8](data))
        guard data.count >= 5, try r.take(4) == Self.magic, try r.byte() == Self.formatVersion else { throw DecodingError.badHeader }
        var t = SpamTuning()
        t.bits = Int(try r.byte())
        t.charMin = Int(try r.byte())
        t.charMax = Int(try r.byte())
        let flags = try r.byte()
        t.bigrams = flags & 1 != 0
        guard (8...24).contains(t.bits), t.charMin >= 1, t.charMin <= t.charMax, t.charMax <= 8 else { throw DecodingError.corrupt }
        t.wordWeight = try r.float()
        t.charWeight = try r.float()
        t.cueScale = try r.float()
        t.lambda = try r.float()
        t.eta0 = try r.float()
        t.hamWeight = try r.float()
        t.threshold = try r.float()
        t.onlineRate = try r.float()
        t.bayesWeight = try r.float()
        t.bayesAlpha = try r.float()
        t.epochs = Int(try r.varint(max: 10_000))
        t.onlineSteps = Int(try r.varint(max: 1000))
        t.seed = try r.varint()
        self.init(tuning: t)
        examples = Int(try r.varint(max: UInt64(Int32.max)))
        bias = try r.float()
        let cueCount = Int(try r.varint(max: 1000))
        var cues: [Float] = []
        for _ in 0..<cueCount { cues.append(try r.float()) }
        // A model stored before new cues were added simply has zero weight for them.
        for c in 0..<min(cues.count, cueWeights.count) { cueWeights[c] = cues[c] }
        let step = try r.float()
        let count = Int(try r.varint(max: UInt64(weights.count)))
        var index = -1
        for _ in 0..<count {
            index += Int(try r.varint(max: UInt64(weights.count)))
            guard index < weights.count else { throw DecodingError.corrupt }
            let z = try r.varint()
            let q = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
            weights[index] = Float(q) * step
        }
        try bayes.read(from: &r, dimension: weights.count)
    }

    /// Encodes as the compact bytes of `encoded()`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(try encoded())
    }

    /// Decodes from the compact bytes of `encoded()`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        try self.init(data: try c.decode(Data.self))
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    mutating func float(_ f: Float) { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
}

struct ByteReader {
    let bytes: [UInt8]
    var at = 0
    mutating func byte() throws -> UInt8 {
        guard at < bytes.count else { throw SpamModel.DecodingError.corrupt }
        defer { at += 1 }
        return bytes[at]
    }
    mutating func take(_ n: Int) throws -> [UInt8] { try (0..<n).map { _ in try byte() } }
    mutating func varint(max: UInt64 = .max) throws -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw SpamModel.DecodingError.corrupt }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        guard v <= max else { throw SpamModel.DecodingError.corrupt }
        return v
    }
    mutating func float() throws -> Float {
        var bits: UInt32 = 0
        for k in 0..<4 { bits |= UInt32(try byte()) << (8 * UInt32(k)) }
        let f = Float(bitPattern: bits)
        guard f.isFinite else { throw SpamModel.DecodingError.corrupt }
        return f
    }
}
