// The web viewer over real HTTPS on a loopback port: login, the list, Range requests that return
// exactly the right decrypted bytes, CSRF, the login rate limit, path traversal, destroyed keys,
// the users file; and random-access opening of sealed files underneath.

import AsyncHTTPClient
import ClipViewer
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SealedFile
import Testing

/// The keys of the test clips, as a key manager would hold them.
private actor KeyBook {
    private var keys: [String: SymmetricKey] = [:]
    private var destroyed: Set<String> = []
    private(set) var requests = 0

    func add(_ id: String, _ key: SymmetricKey) { keys[id] = key }
    func destroy(_ id: String) { destroyed.insert(id); keys[id] = nil }
    func state(_ id: String) -> String { destroyed.contains(id) ? "Destroyed" : keys[id] == nil ? "unknown" : "Active" }

    func key(_ header: SealedFileHeader) throws -> SymmetricKey {
        requests += 1
        if destroyed.contains(header.keyIdentifier) { throw ViewerKeyError.destroyed(keyIdentifier: header.keyIdentifier) }
        guard let key = keys[header.keyIdentifier] else {
            throw ViewerKeyError.unavailable(keyIdentifier: header.keyIdentifier, reason: "no such key")
        }
        return key
    }
}

/// A test clip: its plaintext, key and identifier.
private struct TestClip {
    let name: String
    let plaintext: [UInt8]
    let key: SymmetricKey
    let keyIdentifier: String
}

/// Seals `size` random bytes into `directory/name` with chunks of `chunkSize` bytes.
private func makeClip(_ name: String, size: Int, chunkSize: UInt32 = 1000, in directory: String) throws -> TestClip {
    var generator = SystemRandomNumberGenerator()
    let plaintext = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let key = SymmetricKey(size: .bits256)
    let id = "key-\(UUID().uuidString.lowercased())"
    let header = SealedFileHeader(
        serverIdentity: "127.0.0.1:5696", keyIdentifier: id, chunkSize: chunkSize,
        metadata: ["captured": "2026-11-26T10:00:00Z", "source": "test"])
    var sealed: [UInt8] = []
    let writer = try SealedFileWriter(header: header, key: key.withUnsafeBytes { Array($0) }) { sealed += $0 }
    try writer.write(plaintext)
    try writer.finish()
    try Data(sealed).write(to: URL(fileURLWithPath: directory + "/" + name))
    return TestClip(name: name, plaintext: plaintext, key: key, keyIdentifier: id)
}

private let alicePassword = "correct horse battery"

/// A viewer on a loopback port over a directory of freshly sealed clips, with user `alice`, and
/// an HTTPS client that trusts its generated certificate and keeps its cookies.
private final class RunningViewer: @unchecked Sendable {
    let directory: String
    let endpoint: ViewerEndpoint
    let configuration: ViewerConfiguration
    let keys: KeyBook
    let clips: [TestClip]
    let http: HTTPClient
    private let task: Task<Void, any Error>
    // Touched by one test at a time.
    var cookies: [String: String] = [:]

    static func start(
        keyCacheLifetime: Duration = .seconds(60), loginLimit: ViewerLoginLimit = ViewerLoginLimit()
    ) async throws -> RunningViewer {
        let directory = try makeTemporaryDirectory("viewer-test")
        let clipDirectory = directory + "/clips"
        try FileManager.default.createDirectory(atPath: clipDirectory, withIntermediateDirectories: true)
        let keys = KeyBook()
        let clips = [
            try makeClip("garden-0001.mp4.sealed", size: 10_500, in: clipDirectory),
            try makeClip("garden-0002.mp4.sealed", size: 3000, in: clipDirectory),
        ]
        for clip in clips { await keys.add(clip.keyIdentifier, clip.key) }
        let configuration = ViewerConfiguration(
            stateDirectory: directory + "/state", port: 0, keyCacheLifetime: keyCacheLifetime, loginLimit: loginLimit)
        try ViewerUsers(path: configuration.usersFile, cost: 4).add("alice", password: alicePassword)
        let server = ClipViewerServer(
            configuration: configuration,
            clips: DirectoryViewerClipSource(directory: clipDirectory) { header in await keys.state(header.keyIdentifier) },
            keys: { header in try await keys.key(header) })
        let (stream, continuation) = AsyncStream<ViewerEndpoint>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run { endpoint in continuation.yield(endpoint) }
        }
        var iterator = stream.makeAsyncIterator()
        guard let endpoint = await iterator.next() else {
            try await task.value
            throw ViewerTestError("the viewer stopped before it listened")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(try #require(endpoint.certificateChainFile)))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow))
        return RunningViewer(directory: directory, endpoint: endpoint, configuration: configuration, keys: keys, clips: clips, http: http, task: task)
    }

    private init(
        directory: String, endpoint: ViewerEndpoint, configuration: ViewerConfiguration, keys: KeyBook, clips: [TestClip], http: HTTPClient,
        task: Task<Void, any Error>
    ) {
        self.directory = directory
        self.endpoint = endpoint
        self.configuration = configuration
        self.keys = keys
        self.clips = clips
        self.http = http
        self.task = task
    }

    func stop() async {
        try? await http.shutdown()
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct Reply {
        let status: UInt
        let headers: HTTPHeaders
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// A request with the kept cookies; keeps the cookies the answer sets.
    func send(
        _ path: String, method: HTTPMethod = .GET, form: [(String, String)]? = nil, headers: [(String, String)] = [],
        useCookies: Bool = true
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: endpoint.url + path.dropFirst())
        request.method = method
        if useCookies, !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        if useCookies {
            for line in response.headers["Set-Cookie"] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
                let value = pair.count > 1 ? String(pair[1]) : ""
                if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
        }
        return Reply(status: response.status.code, headers: response.headers, body: Array(buffer: body))
    }

    /// The hidden CSRF field of a page.
    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Loads the login page and signs in; returns the answer to the login POST.
    @discardableResult
    func login(user: String = "alice", password: String = alicePassword) async throws -> Reply {
        let page = try await send("/login")
        let token = try #require(Self.csrf(in: page.text))
        return try await send("/login", method: .POST, form: [("csrf", token), ("username", user), ("password", password)])
    }

    func accessLogLines() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: configuration.accessLog, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }
}

private struct ViewerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a fresh viewer, stopping it afterwards whatever happens.
private func withViewer(
    keyCacheLifetime: Duration = .seconds(60), loginLimit: ViewerLoginLimit = ViewerLoginLimit(),
    _ body: (RunningViewer) async throws -> Void
) async throws {
    let viewer = try await RunningViewer.start(keyCacheLifetime: keyCacheLifetime, loginLimit: loginLimit)
    do {
        try await body(viewer)
    } catch {
        await viewer.stop()
        throw error
    }
    await viewer.stop()
}

@Suite("Clip viewer")
struct ViewerTests {
    @Test("HTTPS with a generated certificate on loopback; without a session the pages redirect to the login page and the video answers 401")
    func loginRequired() async throws {
        try await withViewer { viewer in
            #expect(viewer.endpoint.url.hasPrefix("https://127.0.0.1:"))
            let certificate = try #require(viewer.endpoint.certificateChainFile)
            let keyFile = (certificate as NSString).deletingLastPathComponent + "/viewer-key.pem"
            #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)

            for path in ["/", "/clips/garden-0001.mp4.sealed"] {
                let reply = try await viewer.send(path)
                #expect(reply.status == 303, "\(path)")
                #expect(reply.header("Location") == "/login", "\(path)")
            }
            let video = try await viewer.send("/clips/garden-0001.mp4.sealed/video")
            #expect(video.status == 401)
            // A made-up session cookie is no session.
            viewer.cookies["__Host-clipviewer-session"] = "bm90IGEgc2Vzc2lvbg=="
            #expect(try await viewer.send("/").status == 303)
            #expect(try await viewer.send("/clips/garden-0001.mp4.sealed/video").status == 401)

            let login = try await viewer.send("/login")
            #expect(login.status == 200)
            #expect(login.text.contains("<form method=\"post\" action=\"/login\">"))
            #expect(login.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(try await viewer.send("/no/such/page").status == 404)
        }
    }

    @Test("after login: a Secure, HttpOnly, SameSite=Strict session cookie, the list with time, size, key id, key state and a video element per clip, security headers; logout ends the session")
    func listAfterLogin() async throws {
        try await withViewer { viewer in
            let login = try await viewer.login()
            #expect(login.status == 303)
            #expect(login.header("Location") == "/")
            let sessionCookie = try #require(login.headers["Set-Cookie"].first { $0.hasPrefix("__Host-clipviewer-session=") })
            for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
                #expect(sessionCookie.contains(attribute), "\(sessionCookie)")
            }

            let list = try await viewer.send("/")
            #expect(list.status == 200)
            #expect(list.header("Content-Type")?.hasPrefix("text/html") == true)
            for clip in viewer.clips {
                #expect(list.text.contains(clip.name))
                #expect(list.text.contains(clip.keyIdentifier))
                #expect(list.text.contains("<video controls preload=\"metadata\" src=\"/clips/\(clip.name)/video\""))
            }
            #expect(list.text.contains("Active"))
            #expect(list.text.contains("2026-11-26 10:00:00 UTC"))
            #expect(list.text.contains("Signed in as <strong>alice</strong>"))
            #expect(list.header("Content-Security-Policy") == "default-src 'none'; style-src 'self'; media-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
            #expect(list.header("X-Content-Type-Options") == "nosniff")
            #expect(list.header("Referrer-Policy") == "same-origin")
            #expect(list.header("Cache-Control") == "no-store")
            #expect(list.header("Strict-Transport-Security") != nil)

            let player = try await viewer.send("/clips/garden-0002.mp4.sealed")
            #expect(player.status == 200)
            #expect(player.text.contains("src=\"/clips/garden-0002.mp4.sealed/video\""))
            #expect(try await viewer.send("/clips/nothing-here.sealed").status == 404)

            let token = try #require(RunningViewer.csrf(in: list.text))
            let logout = try await viewer.send("/logout", method: .POST, form: [("csrf", token)])
            #expect(logout.status == 303)
            #expect(logout.header("Location") == "/login")
            #expect(try await viewer.send("/").status == 303)

            let events = try viewer.accessLogLines().compactMap { $0["event"] as? String }
            #expect(events.contains("login") && events.contains("logout"))
        }
    }

    @Test("Range requests return exactly the right decrypted bytes: whole, first byte, inside and across chunks, last byte, open-ended, suffix, clamped; 416 when unsatisfiable")
    func rangeRequests() async throws {
        try await withViewer { viewer in
            try await viewer.login()
            let clip = viewer.clips[0]
            let size = clip.plaintext.count  // 10,500 bytes in chunks of 1,000: 11 chunks, the last of 500
            let path = "/clips/\(clip.name)/video"

            let whole = try await viewer.send(path)
            #expect(whole.status == 200)
            #expect(whole.body == clip.plaintext)
            #expect(whole.header("Accept-Ranges") == "bytes")
            #expect(whole.header("Content-Type") == "video/mp4")
            #expect(whole.header("Cache-Control") == "no-store")
            #expect(whole.header("X-Content-Type-Options") == "nosniff")
            #expect(whole.header("Content-Length") == "\(size)")

            let cases: [(header: String, range: ClosedRange<Int>)] = [
                ("bytes=0-0", 0...0),
                ("bytes=0-999", 0...999),  // exactly the first chunk
                ("bytes=995-1004", 995...1004),  // across the first chunk boundary
                ("bytes=1000-1999", 1000...1999),  // exactly the second chunk
                ("bytes=1234-7777", 1234...7777),  // across several chunks
                ("bytes=9999-10499", 9999...10499),  // into the short last chunk
                ("bytes=\(size - 1)-\(size - 1)", (size - 1)...(size - 1)),  // the last byte
                ("bytes=7000-", 7000...(size - 1)),  // open-ended
                ("bytes=-10", (size - 10)...(size - 1)),  // the last ten bytes
                ("bytes=10400-99999", 10400...(size - 1)),  // an end past the clip is clamped
                ("bytes=-99999", 0...(size - 1)),  // a suffix longer than the clip
            ]
            for (header, range) in cases {
                let reply = try await viewer.send(path, headers: [("Range", header)])
                #expect(reply.status == 206, "\(header)")
                #expect(reply.header("Content-Range") == "bytes \(range.lowerBound)-\(range.upperBound)/\(size)", "\(header)")
                #expect(reply.body == Array(clip.plaintext[range]), "\(header)")
                #expect(reply.header("Content-Length") == "\(range.count)", "\(header)")
            }
            for header in ["bytes=\(size)-", "bytes=\(size + 5)-\(size + 10)", "bytes=-0"] {
                let reply = try await viewer.send(path, headers: [("Range", header)])
                #expect(reply.status == 416, "\(header)")
                #expect(reply.header("Content-Range") == "bytes */\(size)", "\(header)")
            }
            // Malformed and multiple ranges are ignored, as RFC 9110 allows: the whole clip.
            for header in ["bytes=5-2", "items=0-5", "bytes=0-1,5-6", "bytes=x-"] {
                let reply = try await viewer.send(path, headers: [("Range", header)])
                #expect(reply.status == 200, "\(header)")
                #expect(reply.body == clip.plaintext, "\(header)")
            }
            // The key was asked for once; the cache served the rest.
            #expect(await viewer.keys.requests == 1)

            // The access log says who watched what, and holds no key material.
            let lines = try viewer.accessLogLines().filter { $0["event"] as? String == "view" }
            #expect(lines.count == 1 + cases.count + 3 + 4)
            let ranged = try #require(lines.first { $0["range"] as? String == "bytes=1234-7777" })
            #expect(ranged["user"] as? String == "alice")
            #expect(ranged["clip"] as? String == clip.name)
            #expect(ranged["status"] as? Int == 206)
            #expect(ranged["keyIdentifier"] as? String == clip.keyIdentifier)
            #expect(ranged["time"] as? String != nil)
            #expect(lines.contains { $0["status"] as? Int == 416 })
            let log = try String(contentsOfFile: viewer.configuration.accessLog, encoding: .utf8)
            let keyBytes = clip.key.withUnsafeBytes { Data($0) }
            #expect(!log.contains(keyBytes.map { String(format: "%02x", $0) }.joined()))
            #expect(!log.contains(keyBytes.base64EncodedString()))
            #expect(try FileManager.default.attributesOfItem(atPath: viewer.configuration.accessLog)[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test("CSRF: a login or logout POST without the token, with a wrong one, or from another origin is refused with 403")
    func csrfEnforced() async throws {
        try await withViewer { viewer in
            let page = try await viewer.send("/login")
            let token = try #require(RunningViewer.csrf(in: page.text))
            let credentials = [("username", "alice"), ("password", alicePassword)]
            // No token in the form.
            #expect(try await viewer.send("/login", method: .POST, form: credentials).status == 403)
            // A wrong token.
            #expect(try await viewer.send("/login", method: .POST, form: [("csrf", String(repeating: "0", count: 64))] + credentials).status == 403)
            // The right token without its cookie (what a cross-site form would send).
            let cookies = viewer.cookies
            viewer.cookies = [:]
            #expect(try await viewer.send("/login", method: .POST, form: [("csrf", token)] + credentials).status == 403)
            viewer.cookies = cookies
            // The right token from another origin.
            #expect(try await viewer.send("/login", method: .POST, form: [("csrf", token)] + credentials,
                headers: [("Origin", "https://evil.example")]).status == 403)
            #expect(try await viewer.send("/login", method: .POST, form: [("csrf", token)] + credentials,
                headers: [("Sec-Fetch-Site", "cross-site")]).status == 403)
            // An opaque origin (a sandboxed frame, a data: page) is not this site either.
            #expect(try await viewer.send("/login", method: .POST, form: [("csrf", token)] + credentials,
                headers: [("Origin", "null")]).status == 403)
            #expect(try await viewer.send("/").status == 303)  // none of them logged in
            // The right token from this origin works.
            let host = String(viewer.endpoint.url.dropFirst("https://".count).dropLast())
            let login = try await viewer.send("/login", method: .POST, form: [("csrf", token)] + credentials,
                headers: [("Origin", "https://\(host)"), ("Sec-Fetch-Site", "same-origin")])
            #expect(login.status == 303)

            // Logout needs the session's token.
            #expect(try await viewer.send("/logout", method: .POST, form: []).status == 403)
            #expect(try await viewer.send("/logout", method: .POST, form: [("csrf", token)]).status == 403)
            #expect(try await viewer.send("/").status == 200)  // still logged in
            let refused = try viewer.accessLogLines().filter { ($0["event"] as? String)?.hasSuffix("-refused") == true }
            #expect(refused.count == 8)
            #expect(refused.allSatisfy { $0["status"] as? Int == 403 })
        }
    }

    @Test("the login rate limit: after too many failures per user, then per client address, even the right password is refused with 429")
    func rateLimit() async throws {
        try await withViewer(loginLimit: ViewerLoginLimit(perUser: 3, perAddress: 5, window: .seconds(600))) { viewer in
            for _ in 0..<3 {
                #expect(try await viewer.login(password: "wrong password").status == 401)
            }
            let limited = try await viewer.login()
            #expect(limited.status == 429)
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 > 0)
            #expect(limited.text.contains("Too many failed sign-ins"))
            #expect(try await viewer.send("/").status == 303)
            // Other names from the same address: two more failures reach the address limit.
            #expect(try await viewer.login(user: "bob", password: "wrong password").status == 401)
            #expect(try await viewer.login(user: "carol", password: "wrong password").status == 401)
            #expect(try await viewer.login(user: "dave", password: "whatever pass").status == 429)
            let failed = try viewer.accessLogLines().filter { $0["event"] as? String == "login-failed" }
            #expect(failed.count == 5)
            #expect(!(try String(contentsOfFile: viewer.configuration.accessLog, encoding: .utf8)).contains("wrong password"))
        }
    }

    @Test("no path traversal: names with slashes, dots, encodings or outside the clip directory are refused, never served")
    func pathTraversal() async throws {
        try await withViewer { viewer in
            try await viewer.login()
            // A file outside the clip directory, and a link to it inside.
            let outside = viewer.directory + "/secret.sealed"
            try FileManager.default.copyItem(atPath: viewer.directory + "/clips/" + viewer.clips[1].name, toPath: outside)
            try FileManager.default.createSymbolicLink(atPath: viewer.directory + "/clips/link.sealed", withDestinationPath: outside)
            for path in [
                "/clips/..%2Fsecret.sealed/video", "/clips/%2e%2e%2fsecret.sealed/video", "/clips/.hidden.sealed/video",
                "/clips/..%5Csecret.sealed/video", "/clips/link.sealed/video", "/clips/%00.sealed/video",
                "/clips/a%20b.sealed/video",
            ] {
                let reply = try await viewer.send(path)
                #expect([400, 404].contains(reply.status), "\(path): \(reply.status)")
                #expect(reply.body != viewer.clips[1].plaintext)
            }
            #expect(try await viewer.send("/clips/../secret.sealed/video").status != 200)
            #expect(try await viewer.send("/clips/..%2Fsecret.sealed").status == 400)

            let source = DirectoryViewerClipSource(directory: viewer.directory + "/clips")
            for name in ["../secret.sealed", "/etc/passwd", ".hidden", "", "a/b", "link.sealed"] {
                await #expect(throws: ViewerClipError.self, "\(name)") { _ = try await source.sealedFile(named: name) }
            }
            #expect(!ViewerClip.isValidName(".."))
            #expect(ViewerClip.isValidName("garden-0001.mp4.sealed"))
        }
    }

    @Test("a destroyed key: once the cached key has expired and the key provider says destroyed, the clip refuses to play (410); the list says so")
    func destroyedKey() async throws {
        try await withViewer(keyCacheLifetime: .zero) { viewer in
            try await viewer.login()
            let clip = viewer.clips[1]
            let path = "/clips/\(clip.name)/video"
            #expect(try await viewer.send(path).body == clip.plaintext)
            await viewer.keys.destroy(clip.keyIdentifier)
            let refused = try await viewer.send(path, headers: [("Range", "bytes=0-99")])
            #expect(refused.status == 410)
            #expect(refused.text.contains("destroyed"))
            #expect(!refused.body.starts(with: clip.plaintext.prefix(16)))
            let list = try await viewer.send("/")
            #expect(list.text.contains("Destroyed"))
            #expect(list.text.contains("cannot be played: its key is destroyed"))
            // The other clip still plays.
            #expect(try await viewer.send("/clips/\(viewer.clips[0].name)/video").body == viewer.clips[0].plaintext)
            let lines = try viewer.accessLogLines().filter { $0["status"] as? Int == 410 }
            #expect(lines.count == 1)
            #expect(lines.first?["clip"] as? String == clip.name)
        }
    }

    @Test("users add, verify, remove: bcrypt hashes in a 0600 file, clear errors, loose permissions refused")
    func users() throws {
        let directory = try makeTemporaryDirectory("viewer-users")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/state/users.json"
        let users = ViewerUsers(path: path, cost: 4)
        #expect(try users.names().isEmpty)
        #expect(try !users.verify("alice", password: alicePassword))
        try users.add("alice", password: alicePassword)
        try users.add("bob@example", password: "another password")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(alicePassword))
        #expect(text.contains("$2b$04$"))
        #expect(try users.names() == ["alice", "bob@example"])
        #expect(try users.verify("alice", password: alicePassword))
        #expect(try !users.verify("alice", password: "another password"))
        #expect(try !users.verify("nobody", password: alicePassword))

        #expect(throws: ViewerUsersError.userExists("alice")) { try users.add("alice", password: "yet another one") }
        try users.add("alice", password: "yet another one", replacing: true)
        #expect(try users.verify("alice", password: "yet another one"))
        #expect(throws: ViewerUsersError.invalidName("al ice")) { try users.add("al ice", password: alicePassword) }
        #expect(throws: ViewerUsersError.invalidName("../x")) { try users.add("../x", password: alicePassword) }
        #expect(throws: ViewerUsersError.self) { try users.add("carol", password: "short") }
        #expect(throws: ViewerUsersError.self) { try users.add("carol", password: String(repeating: "x", count: 73)) }
        #expect(throws: ViewerUsersError.noSuchUser("carol")) { try users.remove("carol") }

        try users.remove("alice")
        #expect(try users.names() == ["bob@example"])
        #expect(try !users.verify("alice", password: "yet another one"))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/state") == ["users.json"])

        chmod(path, 0o644)
        #expect(throws: ViewerUsersError.insecurePermissions(path: path, mode: 0o644)) { try users.verify("bob@example", password: "another password") }
        #expect(ViewerUsersError.insecurePermissions(path: path, mode: 0o644).description.contains("chmod 600"))
        chmod(path, 0o600)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        #expect(throws: ViewerUsersError.self) { try users.names() }
    }

    @Test("the viewer refuses to start with a users file others can read, and with a bad port")
    func refusesInsecureStart() async throws {
        let directory = try makeTemporaryDirectory("viewer-start")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = ViewerConfiguration(stateDirectory: directory, port: 0)
        try ViewerUsers(path: configuration.usersFile, cost: 4).add("alice", password: alicePassword)
        chmod(configuration.usersFile, 0o640)
        let server = ClipViewerServer(configuration: configuration, clips: DirectoryViewerClipSource(directory: directory), keys: { _ in SymmetricKey(size: .bits256) })
        await #expect(throws: ViewerUsersError.insecurePermissions(path: configuration.usersFile, mode: 0o640)) { try await server.run() }
        let badPort = ClipViewerServer(
            configuration: ViewerConfiguration(stateDirectory: directory, port: 70000), clips: DirectoryViewerClipSource(directory: directory),
            keys: { _ in SymmetricKey(size: .bits256) })
        await #expect(throws: ViewerError.self) { try await badPort.run() }
    }

    @Test("the generated certificate (key 0600) is kept in the state directory and reused by the next start")
    func certificateReused() async throws {
        let directory = try makeTemporaryDirectory("viewer-certificate")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = ViewerConfiguration(stateDirectory: directory, port: 0)
        try ViewerUsers(path: configuration.usersFile, cost: 4).add("alice", password: alicePassword)
        func start() async throws -> String {
            let server = ClipViewerServer(configuration: configuration, clips: DirectoryViewerClipSource(directory: directory), keys: { _ in SymmetricKey(size: .bits256) })
            let (stream, continuation) = AsyncStream<ViewerEndpoint>.makeStream()
            let task = Task {
                defer { continuation.finish() }
                try await server.run { continuation.yield($0) }
            }
            var iterator = stream.makeAsyncIterator()
            let endpoint = try #require(await iterator.next())
            task.cancel()
            _ = await task.result
            #expect(endpoint.url.hasPrefix("https://127.0.0.1:"))
            return try String(contentsOfFile: try #require(endpoint.certificateChainFile), encoding: .utf8)
        }
        let first = try await start()
        #expect(first.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(try await start() == first)
        #expect(try FileManager.default.attributesOfItem(atPath: directory + "/viewer-key.pem")[.posixPermissions] as? Int == 0o600)
    }

    @Test("random-access opening: every range around chunk boundaries equals the plaintext; the final chunk is checked at open; damage is found in the chunk read")
    func randomAccess() throws {
        let key = Array(0..<32).map { UInt8($0) }
        for size in [0, 1, 63, 64, 65, 200] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            var sealed: [UInt8] = []
            let writer = try SealedFileWriter(header: SealedFileHeader(serverIdentity: "s", keyIdentifier: "k", chunkSize: 64), key: key) { sealed += $0 }
            try writer.write(plaintext)
            try writer.finish()
            let reader = try SealedFileRandomAccessReader(source: BytesRandomAccessSource(sealed), key: key)
            #expect(reader.plaintextSize == size)
            #expect(reader.chunkCount == max(1, (size + 63) / 64))
            for lower in Set([0, 1, 63, 64, 65, size / 2, size - 1, size].filter { (0...size).contains($0) }) {
                for upper in Set([lower, lower + 1, 64, 65, 128, 129, size - 1, size].filter { (lower...size).contains($0) }) {
                    var got: [UInt8] = []
                    try reader.read(lower..<upper) { got += $0 }
                    #expect(got == Array(plaintext[lower..<upper]), "size \(size), \(lower)..<\(upper)")
                }
            }
            #expect(throws: SealedFileError.self) { try reader.read(0..<(size + 1)) { _ in } }
        }

        let plaintext = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        var sealed: [UInt8] = []
        let writer = try SealedFileWriter(header: SealedFileHeader(serverIdentity: "s", keyIdentifier: "k", chunkSize: 64), key: key) { sealed += $0 }
        try writer.write(plaintext)
        try writer.finish()
        var headerSource = BytesSource(sealed)
        let bodyStart = try SealedFileReader.readHeader(from: &headerSource).bytes.count
        // Cut at a chunk boundary: the new last chunk does not open as the last one.
        #expect(throws: SealedFileError.truncated(chunks: 4)) {
            _ = try SealedFileRandomAccessReader(source: BytesRandomAccessSource(Array(sealed.prefix(bodyStart + 4 * 80))), key: key)
        }
        // A wrong key is told at open.
        #expect(throws: SealedFileError.wrongKey(keyIdentifier: "k")) {
            _ = try SealedFileRandomAccessReader(source: BytesRandomAccessSource(sealed), key: Array(repeating: 9, count: 32))
        }
        // A flipped bit in chunk 2 fails when chunk 2 is read, not before; other chunks still open.
        var damaged = sealed
        damaged[bodyStart + 2 * 80 + 5] ^= 1
        let reader = try SealedFileRandomAccessReader(source: BytesRandomAccessSource(damaged), key: key)
        var first: [UInt8] = []
        try reader.read(0..<128) { first += $0 }
        #expect(first == Array(plaintext[0..<128]))
        var released: [UInt8] = []
        #expect(throws: SealedFileError.chunkDamaged(index: 2, offset: bodyStart + 160)) { try reader.read(100..<200) { released += $0 } }
        #expect(released == Array(plaintext[100..<128]))  // only the chunk before the damaged one
        // Bytes after the final chunk.
        #expect(throws: SealedFileError.self) {
            _ = try SealedFileRandomAccessReader(source: BytesRandomAccessSource(sealed + [0, 0, 0]), key: key)
        }
        // The same through a file.
        let directory = try makeTemporaryDirectory("viewer-random-access")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(sealed).write(to: URL(fileURLWithPath: directory + "/clip.sealed"))
        let fromFile = try SealedFileRandomAccessReader(source: try FileRandomAccessSource(path: directory + "/clip.sealed"), key: key)
        var got: [UInt8] = []
        try fromFile.read(60..<270) { got += $0 }
        #expect(got == Array(plaintext[60..<270]))
        #expect(throws: SealedFileError.self) { _ = try FileRandomAccessSource(path: directory + "/missing.sealed") }
        #expect(throws: SealedFileError.self) { _ = try FileRandomAccessSource(path: directory) }
    }
}
