import DreyCore
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a WXR file as a stream of events, in bounded memory.
///
/// Foundation's `XMLParser` is synchronous and reads its input stream a chunk at a time, so it
/// runs on a thread of its own and hands over one author, term or item at a time. It waits when
/// `capacity` events are waiting, so a slow database never lets a large file pile up in memory.
public struct WXRReader: Sendable {
    public let url: URL
    public let capacity: Int

    public init(url: URL, capacity: Int = 32) {
        self.url = url
        self.capacity = capacity
    }

    public func events() -> WXREventSequence {
        let gate = Gate(capacity: capacity)
        let url = self.url
        let stream = AsyncThrowingStream<WXREvent, any Error> { continuation in
            continuation.onTermination = { _ in gate.cancel() }
            let thread = Thread {
                let error = Self.parse(url: url) { event in
                    gate.wait()
                    if gate.isCancelled { return false }
                    continuation.yield(event)
                    return true
                }
                if let error, !gate.isCancelled {
                    continuation.finish(throwing: error)
                } else {
                    continuation.finish()
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        return WXREventSequence(stream: stream, gate: gate)
    }

    /// Parses the whole file on the calling thread; returns why it stopped early, if it did.
    static func parse(url: URL, emit: @escaping (WXREvent) -> Bool) -> WXRError? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isReadableFile(atPath: url.path), let stream = InputStream(url: url)
        else { return WXRError(.unreadable, "cannot read \(url.path): no such file, or not readable") }
        if let refusal = refuseDoctype(url) { return refusal }
        let parser = XMLParser(stream: stream)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = true
        parser.shouldResolveExternalEntities = false
        let delegate = WXRParserDelegate(emit: emit)
        parser.delegate = delegate
        _ = parser.parse()  // its result is unreliable (true after a premature end); the delegate knows
        return delegate.finish(parser)
    }

    /// WordPress refuses files with a DOCTYPE, and so does Drey: entity declarations are how XML
    /// bombs and file-reading tricks begin, and no exporter writes one. It can only come before
    /// the root element, so the head of the file tells.
    static func refuseDoctype(_ url: URL) -> WXRError? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 64 << 10), let range = head.range(of: Data("<!DOCTYPE".utf8)) else { return nil }
        let rootStart = head.range(of: Data("<rss".utf8))?.lowerBound ?? head.endIndex
        guard range.lowerBound < rootStart else { return nil }
        let line = head[..<range.lowerBound].filter { $0 == 0x0A }.count + 1
        return WXRError(
            .notWXR, line: line, column: 1,
            "a DOCTYPE (entity declarations) is not allowed in a WordPress export; expected <rss> to follow the XML declaration")
    }
}

/// The events of one reading; iterating it lets the reader go on.
public struct WXREventSequence: AsyncSequence, Sendable {
    public typealias Element = WXREvent
    let stream: AsyncThrowingStream<WXREvent, any Error>
    let gate: Gate

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<WXREvent, any Error>.AsyncIterator
        let gate: Gate

        public mutating func next() async throws -> WXREvent? {
            let event = try await base.next()
            if event != nil { gate.signal() }
            return event
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator(), gate: gate) }
}

/// Lets the parser thread run at most `capacity` events ahead of the reader.
final class Gate: Sendable {
    private let slots: DispatchSemaphore
    private let cancelled = Locked(false)

    init(capacity: Int) { slots = DispatchSemaphore(value: capacity) }

    func wait() { slots.wait() }
    func signal() { slots.signal() }
    var isCancelled: Bool { cancelled.current }

    /// Stops the parser: wakes it if it waits for room, and makes it abort.
    func cancel() {
        cancelled.withLock { $0 = true }
        slots.signal()
    }
}
