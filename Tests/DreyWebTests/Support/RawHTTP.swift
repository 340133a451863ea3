import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over a plain socket, for what the usual clients hide: several requests written at once (pipelining), and
/// the exact bytes and headers of each answer. Blocking: call it through `offThread`.
struct RawHTTP {
    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var headerNames: Set<String> { Set(headers.map { $0.0.lowercased() }) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Writes `requests` (each a complete request, CRLFs included) in one go on one connection and reads one answer
    /// for each, in the order they come. `heads` says which requests were HEAD (their answers carry no body).
    static func exchange(port: Int, _ requests: [String], heads: Set<Int> = []) throws -> [Answer] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        let bytes = Array(requests.joined().utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send: \(errno)") }
            sent += n
        }
        var buffer: [UInt8] = []
        var answers: [Answer] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while answers.count < requests.count {
            if let (answer, used) = try parse(buffer, head: heads.contains(answers.count)) {
                answers.append(answer)
                buffer.removeFirst(used)
                continue
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "the connection ended after \(answers.count) answer(s) (\(n), errno \(errno))") }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return answers
    }

    /// One whole answer at the start of `buffer` and how many bytes it took; nil when more must be read. Bodies are
    /// framed by Content-Length (what Drey sends), or absent for HEAD, 304 and 204.
    static func parse(_ buffer: [UInt8], head: Bool) throws -> (Answer, Int)? {
        let end = Array("\r\n\r\n".utf8)
        guard buffer.count >= 4, let split = (0...(buffer.count - 4)).first(where: { buffer[$0..<($0 + 4)].elementsEqual(end) }) else {
            return nil
        }
        let lines = String(decoding: buffer[0..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line: \(lines[0])") }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let bodyLength = head || status == 304 || status == 204 ? 0 : length
        let start = split + 4
        guard buffer.count >= start + bodyLength else { return nil }
        return (Answer(status: status, headers: headers, body: Array(buffer[start..<(start + bodyLength)])), start + bodyLength)
    }

    /// A request for the server on `port`, with the given extra header lines.
    static func request(_ target: String, port: Int, method: String = "GET", _ headers: [String] = []) -> String {
        "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
    }
}
