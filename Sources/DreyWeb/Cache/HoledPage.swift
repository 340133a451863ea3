import CompressNIO
import DreyApp
import DreyCore
import NIOCore

/// A page split around its holes (see `PageHole`), in plain and in gzip form, so that a cached page can hand every
/// reader their own parts (a form token, "signed in as …", a like button's state): a few small functions and some
/// copies per response, no template work and no recompression.
///
/// The gzip form is one valid gzip member built from parts: each piece of the page is raw-deflated on its own
/// (sync-flushed, so it ends on a byte boundary; only the last piece ends the stream), each fill goes between them as
/// stored blocks, and the trailer's CRC is combined from the pieces' CRCs and the fills'.
struct HoledPage: Sendable {
    struct Piece: Sendable {
        /// Empty in a compact page (see `compacted`).
        let plain: ByteBuffer
        /// In an array, whose storage is the size of what it holds: a ByteBuffer's is rounded up to a power of two,
        /// and these are copied into each response anyway.
        let deflated: [UInt8]
        let crc: UInt32
        /// The plain piece's length, kept when the piece itself is not.
        let length: Int
    }

    /// One fewer than the pieces: hole n goes between piece n and piece n + 1.
    let holes: [PageHole]
    let pieces: [Piece]
    let hasGzip: Bool
    /// Fills that are the same for every guest reading this page (a sign-in link, the guest's comment fields), by hole
    /// index: made on the first guest's response, reused for the next (`PageHoles.fillNow`).
    let guestFills: Locked<[Int: String]>

    /// Splits `body` at each hole's marker; nil when there is none.
    init?(body: ByteBuffer, gzip: Bool) {
        let bytes = Array(body.readableBytesView)
        let found = bytes.withUnsafeBytes { PageHole.find(in: $0) }
        guard !found.isEmpty else { return nil }
        var ranges: [Range<Int>] = []
        var start = 0
        for (_, cut) in found {
            ranges.append(start..<cut.lowerBound)
            start = cut.upperBound
        }
        ranges.append(start..<bytes.count)
        var pieces: [Piece] = []
        for (n, range) in ranges.enumerated() {
            let plain = ByteBuffer(bytes: bytes[range])
            var deflated: [UInt8] = []
            if gzip {
                guard let d = try? Self.deflate(plain, last: n == ranges.count - 1) else { return nil }
                deflated = d
            }
            // The CRCs serve only the gzip form; a page rendered for one response without it skips them.
            pieces.append(
                Piece(plain: plain, deflated: deflated, crc: gzip ? CRC32.checksum(bytes[range]) : 0, length: range.count))
        }
        self.holes = found.map(\.hole)
        self.pieces = pieces
        self.hasGzip = gzip
        self.isCompact = false
        self.guestFills = Locked([:])
    }

    private init(holes: [PageHole], pieces: [Piece], hasGzip: Bool, isCompact: Bool, guestFills: Locked<[Int: String]>) {
        self.holes = holes
        self.pieces = pieces
        self.hasGzip = hasGzip
        self.isCompact = isCompact
        self.guestFills = guestFills
    }

    /// Whether only the gzip form is kept: the cache drops the plain pieces of pages not read lately (most readers
    /// take gzip), and `expanded` makes them again from the gzip form for a reader who does not.
    let isCompact: Bool

    /// The page without its plain pieces; nil when it has no gzip form to keep instead.
    func compacted() -> HoledPage? {
        guard hasGzip, !isCompact else { return nil }
        let pieces = pieces.map { Piece(plain: ByteBuffer(), deflated: $0.deflated, crc: $0.crc, length: $0.length) }
        return HoledPage(holes: holes, pieces: pieces, hasGzip: true, isCompact: true, guestFills: guestFills)
    }

    /// The page with its plain pieces inflated back from the gzip form; nil if one does not come out as it went in.
    func expanded() -> HoledPage? {
        guard isCompact else { return self }
        var pieces: [Piece] = []
        pieces.reserveCapacity(self.pieces.count)
        for piece in self.pieces {
            guard let plain = Self.inflate(ByteBuffer(bytes: piece.deflated), raw: true, length: piece.length),
                CRC32.checksum(plain.readableBytesView) == piece.crc
            else { return nil }
            pieces.append(Piece(plain: plain, deflated: piece.deflated, crc: piece.crc, length: piece.length))
        }
        return HoledPage(holes: holes, pieces: pieces, hasGzip: true, isCompact: false, guestFills: guestFills)
    }

    /// What its plain pieces hold.
    var plainBytes: Int { pieces.reduce(0) { $0 + $1.plain.capacity } }

    /// What the page holds in memory besides its fixed allowance.
    var cost: Int { pieces.reduce(0) { $0 + $1.plain.capacity + $1.deflated.capacity } }

    /// Length of the plain page with `fills` (one per hole) in place.
    func length(fills: [String]) -> Int {
        pieces.reduce(0) { $0 + $1.length } + fills.reduce(0) { $0 + $1.utf8.count }
    }

    /// Length of the gzip form: header, pieces, each fill as stored blocks (5 bytes of header per 65,535 bytes),
    /// trailer.
    func gzipLength(fills: [String]) -> Int {
        pieces.reduce(18) { $0 + $1.deflated.count } + fills.reduce(0) { $0 + Self.storedLength($1.utf8.count) }
    }

    static func storedLength(_ n: Int) -> Int { n + 5 * max(1, (n + 65534) / 65535) }

    /// The plain page with `fills` (one per hole, in order) in place.
    func body(fills: [String]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(length(fills: fills))
        for (n, piece) in pieces.enumerated() {
            if n > 0 { out.writeString(fills[n - 1]) }
            out.writeImmutableBuffer(piece.plain)
        }
        return out
    }

    /// The plain page as parts to write one after another: each piece as stored (no copy), each fill between them.
    func parts(fills: [String]) -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        out.reserveCapacity(pieces.count * 2)
        for (n, piece) in pieces.enumerated() {
            if n > 0, !fills[n - 1].isEmpty { out.append(ByteBuffer(string: fills[n - 1])) }
            out.append(piece.plain)
        }
        return out
    }

    /// The gzip form: header, each piece's deflate blocks, each fill as stored blocks between them, and a trailer
    /// whose CRC is combined from the pieces' and the fills'.
    func gzipped(fills: [String]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(gzipLength(fills: fills))
        out.writeImmutableBuffer(Self.gzipHeader)
        var crc: UInt32 = 0
        var total = 0
        for (n, piece) in pieces.enumerated() {
            if n > 0 {
                let fill = Array(fills[n - 1].utf8)
                Self.writeStored(fill, to: &out)
                crc = CRC32.combine(crc, CRC32.checksum(fill), lengthB: fill.count)
                total += fill.count
            }
            out.writeBytes(piece.deflated)
            crc = n == 0 ? piece.crc : CRC32.combine(crc, piece.crc, lengthB: piece.length)
            total += piece.length
        }
        out.writeInteger(crc, endianness: .little)
        out.writeInteger(UInt32(truncatingIfNeeded: total), endianness: .little)
        return out
    }

    /// Stored blocks, none final: header bits 000 padded to a byte, then LEN and its complement, then the bytes;
    /// at most 65,535 bytes a block (an empty fill is one empty block, which deflate allows).
    static func writeStored(_ bytes: [UInt8], to out: inout ByteBuffer) {
        var start = 0
        repeat {
            let end = min(bytes.count, start + 65535)
            let len = UInt16(end - start)
            out.writeInteger(UInt8(0))
            out.writeInteger(len, endianness: .little)
            out.writeInteger(~len, endianness: .little)
            out.writeBytes(bytes[start..<end])
            start = end
        } while start < bytes.count
    }

    /// Magic, deflate, no flags, no time, no extra flags, Unix.
    static let gzipHeader = ByteBuffer(bytes: [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])

    /// Raw deflate of one piece; all but the last end with a sync flush so the next part starts on a byte boundary.
    static func deflate(_ piece: ByteBuffer, last: Bool) throws -> [UInt8] {
        let compressor = CompressionAlgorithm.deflate().compressor
        try compressor.startStream()
        defer { try? compressor.finishStream() }
        var input = piece
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: piece) + 64)
        try input.compressStream(to: &output, with: compressor, flush: last ? .finish : .sync)
        // At its size: the buffer was reserved for the worst case, several times what deflate needs.
        return Array(output.readableBytesView)
    }

    /// Inflates raw deflate data (`raw`) or a gzip member that should come out `length` bytes long, into a buffer of
    /// that size; nil when it does not.
    static func inflate(_ data: ByteBuffer, raw: Bool, length: Int) -> ByteBuffer? {
        let decompressor = (raw ? CompressionAlgorithm.deflate() : CompressionAlgorithm.gzip()).decompressor
        guard (try? decompressor.startStream()) != nil else { return nil }
        defer { try? decompressor.finishStream() }
        var input = data
        var output = ByteBuffer()
        // One byte spare: the inflater reports a full output buffer as an overflow even when the data ends there.
        output.reserveCapacity(length + 1)
        guard (try? input.decompressStream(to: &output, with: decompressor)) != nil, input.readableBytes == 0,
            output.readableBytes == length
        else { return nil }
        return output
    }
}
