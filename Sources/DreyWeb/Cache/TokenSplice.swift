import CompressNIO
import DreyApp
import NIOCore

/// A page split around its form-token placeholder, in plain and in gzip form, so that a cached page can hand every
/// reader a token of their own: one HMAC and a few copies per response, no template work and no recompression.
///
/// The gzip form is one valid gzip member built from parts: each piece of the page is raw-deflated on its own
/// (sync-flushed, so it ends on a byte boundary; only the last piece ends the stream), the token goes between them
/// as a stored block, and the trailer's CRC is combined from the pieces' CRCs and the token's.
struct TokenSplice: Sendable {
    struct Piece: Sendable {
        let plain: ByteBuffer
        let deflated: ByteBuffer
        let crc: UInt32
    }

    let postID: Int64
    let pieces: [Piece]
    let hasGzip: Bool

    /// Splits `body` at each placeholder; nil when there is none (the theme shows no form).
    init?(body: ByteBuffer, postID: Int64, gzip: Bool) {
        let bytes = Array(body.readableBytesView)
        let marker = Array(FormToken.placeholder.utf8)
        var cuts: [Range<Int>] = []
        var i = 0
        while i + marker.count <= bytes.count {
            if bytes[i] == marker[0], bytes[i..<(i + marker.count)].elementsEqual(marker) {
                cuts.append(i..<(i + marker.count))
                i += marker.count
            } else {
                i += 1
            }
        }
        guard !cuts.isEmpty else { return nil }
        var ranges: [Range<Int>] = []
        var start = 0
        for cut in cuts {
            ranges.append(start..<cut.lowerBound)
            start = cut.upperBound
        }
        ranges.append(start..<bytes.count)
        var pieces: [Piece] = []
        for (n, range) in ranges.enumerated() {
            let plain = ByteBuffer(bytes: bytes[range])
            var deflated = ByteBuffer()
            if gzip {
                guard let d = try? Self.deflate(plain, last: n == ranges.count - 1) else { return nil }
                deflated = d
            }
            pieces.append(Piece(plain: plain, deflated: deflated, crc: CRC32.checksum(bytes[range])))
        }
        self.postID = postID
        self.pieces = pieces
        self.hasGzip = gzip
    }

    /// Length of the plain page with a token of `tokenLength` bytes in each slot.
    func length(tokenLength: Int) -> Int {
        pieces.reduce(0) { $0 + $1.plain.readableBytes } + (pieces.count - 1) * tokenLength
    }

    /// Length of the gzip form with a token of `tokenLength` bytes: header, pieces, a 5-byte stored-block header and
    /// the token per slot, trailer.
    func gzipLength(tokenLength: Int) -> Int {
        pieces.reduce(18) { $0 + $1.deflated.readableBytes } + (pieces.count - 1) * (5 + tokenLength)
    }

    /// The plain page as buffers to write in one go: the cached pieces are shared, not copied.
    func bodyParts(token: String) -> [ByteBuffer] {
        let slot = ByteBuffer(string: token)
        var parts: [ByteBuffer] = []
        parts.reserveCapacity(pieces.count * 2)
        for (n, piece) in pieces.enumerated() {
            if n > 0 { parts.append(slot) }
            parts.append(piece.plain)
        }
        return parts
    }

    /// The gzip form as buffers: header, each piece's deflate blocks (shared), the token as a stored block between
    /// them, and a trailer whose CRC is combined from the pieces' and the token's.
    func gzipParts(token: String) -> [ByteBuffer] {
        let tokenBytes = Array(token.utf8)
        let tokenCRC = CRC32.checksum(tokenBytes)
        // A stored block, not final: header bits 000 padded to a byte, then LEN and its complement, then the bytes.
        var stored = ByteBuffer()
        let len = UInt16(tokenBytes.count)
        stored.writeInteger(UInt8(0))
        stored.writeInteger(len, endianness: .little)
        stored.writeInteger(~len, endianness: .little)
        stored.writeBytes(tokenBytes)
        var parts = [Self.gzipHeader]
        parts.reserveCapacity(pieces.count * 2 + 1)
        var crc: UInt32 = 0
        var total = 0
        for (n, piece) in pieces.enumerated() {
            if n > 0 {
                parts.append(stored)
                crc = CRC32.combine(crc, tokenCRC, lengthB: tokenBytes.count)
                total += tokenBytes.count
            }
            parts.append(piece.deflated)
            crc = n == 0 ? piece.crc : CRC32.combine(crc, piece.crc, lengthB: piece.plain.readableBytes)
            total += piece.plain.readableBytes
        }
        var trailer = ByteBuffer()
        trailer.writeInteger(crc, endianness: .little)
        trailer.writeInteger(UInt32(truncatingIfNeeded: total), endianness: .little)
        parts.append(trailer)
        return parts
    }

    /// Magic, deflate, no flags, no time, no extra flags, Unix.
    static let gzipHeader = ByteBuffer(bytes: [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])

    /// The parts joined, for tests and callers that want one buffer.
    static func joined(_ parts: [ByteBuffer]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes })
        for part in parts { out.writeImmutableBuffer(part) }
        return out
    }

    func body(token: String) -> ByteBuffer { Self.joined(bodyParts(token: token)) }
    func gzipped(token: String) -> ByteBuffer { Self.joined(gzipParts(token: token)) }

    /// Raw deflate of one piece; all but the last end with a sync flush so the next part starts on a byte boundary.
    static func deflate(_ piece: ByteBuffer, last: Bool) throws -> ByteBuffer {
        let compressor = CompressionAlgorithm.deflate().compressor
        try compressor.startStream()
        defer { try? compressor.finishStream() }
        var input = piece
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: piece) + 64)
        try input.compressStream(to: &output, with: compressor, flush: last ? .finish : .sync)
        return output
    }
}
