import DreyTestSupport
import Foundation
import Testing

@testable import DreyWeb

@Suite struct MailTests {
    @Test("queued mail goes to an SMTP server when one is configured", arguments: [TestDatabase.sqlite])
    func smtp(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, _ in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let portFile = dir.appendingPathComponent("port").path, outFile = dir.appendingPathComponent("out").path
            let sink = Process()
            sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            sink.arguments = [PythonCheck.python, SharedData.packageRoot.appendingPathComponent("Tests/python/smtp_sink.py").path, portFile, outFile]
            try sink.run()
            var port: Int? = nil
            for _ in 0..<200 where port == nil {
                port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
                if port == nil { try await Task.sleep(for: .milliseconds(25)) }
            }
            var mail = MailQueue(database: blog.drey.database, logger: TestBlog.quietLogger)
            mail.smtp = SMTPClient(host: "127.0.0.1", port: try #require(port), from: "blog@blog.test")
            try await mail.enqueue(to: "reader@example.org", subject: "Hello", body: "Line one\n.starts with a dot")
            try await mail.enqueue(to: "evil@example.org\r\nBcc: victim@example.org", subject: "x", body: "y")
            #expect(try await mail.deliverQueued() == 1)
            sink.waitUntilExit()
            let received = try String(contentsOfFile: outFile, encoding: .utf8)
            #expect(received.contains("RCPT TO:<reader@example.org>"))
            #expect(received.contains("Subject: Hello"))
            #expect(received.contains("..starts with a dot"))
            #expect(!received.contains("victim"))
        }
    }
}
