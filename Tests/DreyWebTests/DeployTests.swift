import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The deployment files as an operator uses them: `make install`'s script, the systemd unit, and Debian's nginx
/// running `deploy/nginx-drey.conf` in front of `drey serve` with a self-signed certificate.
@Suite(.serialized) struct DeployTests {
    struct Run {
        let status: Int32
        let out: String
        let err: String
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String], env: [String: String] = [:]) async throws -> Run {
        try await offThread {
            var environment = ProcessInfo.processInfo.environment
            for (k, v) in env { environment[k] = v }
            let result = try ChildProcess.run("/usr/bin/env", [tool] + arguments, environment: environment, directory: SharedData.packageRoot.path)
            return Run(status: result.status, out: result.output, err: result.error)
        }
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("make install's script stages the binary, themes, a unit systemd accepts, and keeps an edited nginx site")
    func install() async throws {
        let stage = try Self.temporaryFolder("drey-stage")
        defer { try? FileManager.default.removeItem(at: stage) }
        let env = ["DESTDIR": stage.path, "DREY_BINARY": try DreyBinary.path]
        let first = try await Self.run("bash", ["scripts/install.sh"], env: env)
        #expect(first.status == 0, "\(first.err)")
        let fm = FileManager.default
        for path in [
            "opt/drey/bin/drey", "opt/drey/share/drey/Themes/default/theme.json", "opt/drey/share/drey/Resources/spam-seed/README.md",
            "opt/drey/share/doc/drey/deploy.md", "etc/systemd/system/drey.service", "etc/nginx/sites-available/drey.conf",
            "etc/drey/drey.env",
        ] {
            #expect(fm.fileExists(atPath: stage.appendingPathComponent(path).path), "\(path)")
        }
        #expect(try fm.destinationOfSymbolicLink(atPath: stage.appendingPathComponent("usr/local/bin/drey").path) == "/opt/drey/bin/drey")

        // The unit, pointed at the staged binary, passes systemd's own check.
        let unit = try String(contentsOf: stage.appendingPathComponent("etc/systemd/system/drey.service"), encoding: .utf8)
        for line in ["User=drey", "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure", "KillSignal=SIGTERM", "NoNewPrivileges=yes"] {
            #expect(unit.contains("\n" + line + "\n"), "\(line)")
        }
        let check = stage.appendingPathComponent("drey-check.service")
        try unit.replacingOccurrences(of: "/opt/drey", with: stage.path + "/opt/drey").write(to: check, atomically: true, encoding: .utf8)
        let verified = try await Self.run("systemd-analyze", ["verify", check.path])
        #expect(verified.status == 0 && verified.err.isEmpty, "\(verified.err)")

        // The installed binary runs with the installed themes and corpus, as the unit starts it.
        let data = stage.appendingPathComponent("data").path
        let installed = stage.appendingPathComponent("opt/drey/bin/drey").path
        let migrated = try await Self.run(
            installed, ["demo", "--data", data],
            env: [
                "DREY_THEMES_DIR": stage.appendingPathComponent("opt/drey/share/drey/Themes").path,
                "DREY_SPAM_SEED_DIR": stage.appendingPathComponent("opt/drey/share/drey/Resources/spam-seed").path,
            ])
        #expect(migrated.status == 0, "\(migrated.err)")

        // A second install keeps the operator's edits.
        let site = stage.appendingPathComponent("etc/nginx/sites-available/drey.conf")
        try "# edited by the operator\n".write(to: site, atomically: true, encoding: .utf8)
        let second = try await Self.run("bash", ["scripts/install.sh"], env: env)
        #expect(second.status == 0)
        #expect(second.out.contains("kept \(site.path)"))
        #expect(try String(contentsOf: site, encoding: .utf8) == "# edited by the operator\n")
    }

    /// nginx running `deploy/nginx-drey.conf` with only its addresses, ports, certificate and log paths changed.
    final class Nginx: @unchecked Sendable {
        let folder: URL
        let process: ChildProcess
        let https: Int
        let http: Int
        var certificate: String { folder.appendingPathComponent("cert.pem").path }

        convenience init(upstream: Int) async throws { try await self.init(upstreams: [upstream]) }

        /// nginx with the example site, its upstream naming every instance in `upstreams` (round-robin).
        init(upstreams: [Int]) async throws {
            folder = try DeployTests.temporaryFolder("drey-nginx")
            https = try FetcherTests.closedPort()
            http = try FetcherTests.closedPort()
            let dir = folder.path
            let cert = try await DeployTests.run(
                "openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=blog.example.org", "-addext",
                    "subjectAltName=DNS:blog.example.org", "-keyout", "\(dir)/key.pem", "-out", "\(dir)/cert.pem",
                ])
            guard cert.status == 0 else { throw CLIFailure("openssl: \(cert.err)") }
            var site = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("deploy/nginx-drey.conf"), encoding: .utf8)
            let replacements = [
                ("server 127.0.0.1:8080;", upstreams.map { "server 127.0.0.1:\($0);" }.joined(separator: "\n    ")),
                ("listen [::]:80;", ""), ("listen 80;", "listen 127.0.0.1:\(http);"),
                ("listen [::]:443 ssl http2;", ""), ("listen 443 ssl http2;", "listen 127.0.0.1:\(https) ssl http2;"),
                ("/etc/letsencrypt/live/blog.example.org/fullchain.pem", "\(dir)/cert.pem"),
                ("/etc/letsencrypt/live/blog.example.org/privkey.pem", "\(dir)/key.pem"),
                ("/var/log/nginx/", "\(dir)/"), ("/var/www/letsencrypt", "\(dir)/acme"),
            ]
            for (from, to) in replacements {
                guard site.contains(from) else { throw CLIFailure("deploy/nginx-drey.conf no longer has `\(from)`: update this test with it") }
                site = site.replacingOccurrences(of: from, with: to)
            }
            try site.write(to: folder.appendingPathComponent("site.conf"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let main = """
                \(getuid() == 0 ? "user root;" : "")
                worker_processes 1;
                pid \(dir)/nginx.pid;
                error_log \(dir)/nginx-error.log;
                daemon off;
                events { worker_connections 256; }
                http {
                    client_body_temp_path \(dir)/tmp/body;
                    proxy_temp_path \(dir)/tmp/proxy;
                    fastcgi_temp_path \(dir)/tmp/fastcgi;
                    uwsgi_temp_path \(dir)/tmp/uwsgi;
                    scgi_temp_path \(dir)/tmp/scgi;
                    default_type application/octet-stream;
                    include \(dir)/site.conf;
                }
                """
            try main.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            process = try ChildProcess(
                "/usr/sbin/nginx", ["-c", "\(dir)/nginx.conf", "-p", dir, "-e", "\(dir)/nginx-error.log"], output: .null, error: .null)
            for _ in 0..<100 {
                if try await DeployTests.run("curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(http)/"]).status == 0 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            stop()
            throw CLIFailure("nginx did not start: \((try? String(contentsOfFile: "\(dir)/nginx-error.log", encoding: .utf8)) ?? "")")
        }

        var base: String { "https://blog.example.org:\(https)" }

        /// nginx's error logs (its own and the site's), for a failure's message.
        var errorLog: String {
            ["nginx-error.log", "drey.error.log"].map { name in
                "nginx's \(name):\n" + ((try? String(contentsOfFile: "\(folder.path)/\(name)", encoding: .utf8)) ?? "(none)")
            }.joined(separator: "\n")
        }

        /// curl as a reader at 127.0.0.2 (another address than nginx's own), trusting the test's certificate.
        func curl(_ arguments: [String]) async throws -> Run {
            try await DeployTests.run(
                "curl",
                [
                    "-sS", "--cacert", certificate, "--resolve", "blog.example.org:\(https):127.0.0.1", "--resolve",
                    "blog.example.org:\(http):127.0.0.1",
                    "--interface", "127.0.0.2",
                ] + arguments)
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func headers(_ raw: String) -> [(String, String)] {
        raw.split(separator: "\r\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    @Test("behind Debian's nginx with TLS: HTTP/2 pages, a comment, a Webmention, admin sign-in with a Secure cookie, the reader's real address")
    func behindNginx() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("drey-access-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try await DreyServer.start(.sqlite, serveArguments: ["--trusted-proxy", "127.0.0.1/32", "--access-log", log], homeURL: false) {
            data, env, _ in
            for args in OpsTests.openComments { try DreyBinary.run(args, data: data, env: env) }
            try DreyBinary.run(
                ["user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "administrator", "--password", "correct-horse-9"],
                data: data, env: env)
            let file = try LinkbackPeerTests.writeFile("Hello through nginx.")
            try DreyBinary.run(["post", "new", "--title", "Hello", "--file", file, "--date", "2008-01-27T00:04:00Z"], data: data, env: env)
        }
        defer { server.stopSoon() }
        let nginx = try await Nginx(upstream: server.port)
        defer { nginx.stop() }
        #expect(try await server.run(["site", "set", "home_url", nginx.base]).status == 0)

        // Pages over HTTP/2 and TLS, at the blog's own address; plain HTTP moves to HTTPS.
        let home = try await nginx.curl(["-o", "/dev/null", "-w", "%{http_code} %{http_version}", nginx.base + "/"])
        #expect(home.out == "200 2", "\(home.err)")
        let plain = try await nginx.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://blog.example.org:\(nginx.http)/2008/"])
        #expect(plain.out == "301 https://blog.example.org/2008/")
        let post = try await nginx.curl([nginx.base + "/2008/01/27/hello/"])
        #expect(post.out.contains("Hello through nginx."))
        #expect(post.out.contains("href=\"\(nginx.base)/2008/01/27/hello/"), "links use the blog's HTTPS address")

        // A comment: its address is the reader's, whatever X-Forwarded-For the reader sends.
        let token = try #require(SpamTest.token(in: post.out))
        let postID = try #require(post.out.range(of: "name=\"comment_post_ID\" value=\"").map { post.out[$0.upperBound...].prefix { $0 != "\"" } })
        let fields = [
            ("comment_post_ID", String(postID)), ("comment_parent", "0"), ("author", "Reader"), ("email", "reader@example.org"),
            ("url", ""), ("comment", "Through the proxy."), ("hp_website", ""), ("drey_token", token),
        ]
        let comment = try await nginx.curl(
            ["-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Forwarded-For: 203.0.113.9"]
                + fields.flatMap { ["--data-urlencode", "\($0.0)=\($0.1)"] } + [nginx.base + "/wp-comments-post.php"])
        #expect(comment.out == "303", "\(comment.err)\n\(server.stateForFailure(lines: 60))\n\(nginx.errorLog)")
        let stored = try await server.jsonLines(["comment", "list", "--json"])
        #expect(stored.first?["text"] as? String == "Through the proxy.")
        #expect(stored.first?["ip"] as? String == "127.0.0.2")

        // A Webmention through the proxy is accepted, and its status page is at the blog's HTTPS address.
        let mention = try await nginx.curl(
            [
                "-o", "/dev/null", "-D", "-", "--data-urlencode", "source=https://elsewhere.example/reply", "--data-urlencode",
                "target=\(nginx.base)/2008/01/27/hello/", nginx.base + "/webmention",
            ])
        #expect(mention.out.hasPrefix("HTTP/2 202"), "\(mention.out)")
        let statusPage = try #require(Self.headers(mention.out).first { $0.0 == "location" }?.1)
        #expect(statusPage.hasPrefix(nginx.base + "/webmention/status/"))
        let status = try await nginx.curl(["-o", "/dev/null", "-w", "%{http_code}", statusPage])
        #expect(status.out == "200")

        // Signing in over HTTPS: the session cookie is Secure, and it works.
        let jar = nginx.folder.appendingPathComponent("cookies.txt").path
        let form = try await nginx.curl(["-c", jar, "-b", jar, nginx.base + "/admin/login"])
        let csrfStart = try #require(form.out.range(of: "name=\"_csrf\" value=\""))
        let csrf = String(form.out[csrfStart.upperBound...].prefix { $0 != "\"" })
        let signIn = try await nginx.curl(
            [
                "-c", jar, "-b", jar, "-o", "/dev/null", "-D", "-", "--data-urlencode", "_csrf=\(csrf)", "--data-urlencode", "email=sam@example.org",
                "--data-urlencode", "password=correct-horse-9", nginx.base + "/admin/login",
            ])
        let signInHeaders = Self.headers(signIn.out)
        #expect(signIn.out.hasPrefix("HTTP/2 303"), "\(signIn.out)")
        let session = try #require(signInHeaders.first { $0.0 == "set-cookie" && $0.1.hasPrefix("drey_session=") }?.1)
        #expect(session.contains("; Secure"))
        #expect(session.contains("; HttpOnly"))
        let dashboard = try await nginx.curl(["-b", jar, "-o", "/dev/null", "-w", "%{http_code}", nginx.base + "/admin/"])
        #expect(dashboard.out == "200")

        // Theme assets cached for a week; bodies over 1 MiB stopped by nginx; /metrics closed from outside.
        let asset = try await nginx.curl(["-o", "/dev/null", "-D", "-", nginx.base + "/assets/default/style.css"])
        #expect(Self.headers(asset.out).contains { $0.0 == "cache-control" && $0.1 == "public, max-age=604800" }, "\(asset.out)")
        let big = nginx.folder.appendingPathComponent("big.txt")
        try Data(repeating: 0x61, count: 2 << 20).write(to: big)
        let tooBig = try await nginx.curl([
            "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@\(big.path)", nginx.base + "/wp-comments-post.php",
        ])
        #expect(tooBig.out == "413")
        let metrics = try await nginx.curl(["-o", "/dev/null", "-w", "%{http_code}", nginx.base + "/metrics"])
        #expect(metrics.out == "403")

        // nginx's request id reaches Drey's access log, beside the reader's address.
        let traced = try await nginx.curl(["-o", "/dev/null", "-D", "-", nginx.base + "/2008/01/27/hello/"])
        let id = try #require(Self.headers(traced.out).first { $0.0 == "x-request-id" }?.1)
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "\(id)")
        let logged = try await server.waitUntil(timeout: 5) { (try String(contentsOfFile: log, encoding: .utf8)).contains("rid=\(id) ") }
        #expect(logged)
        let line = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").first { $0.contains("rid=\(id) ") }
        #expect(line?.hasPrefix("127.0.0.2 - - [") == true, "\(line ?? "")")
    }
}
