// CurlClipStore against real servers: pyftpdlib (FTP and explicit FTPS) started by
// scripts/ftp-server.sh and OpenSSH's sshd (SFTP) started by scripts/sftp-server.sh, both on
// loopback ports. scripts/test.sh starts them and exports their FTP_* and SFTP_* settings.

import ClipSupport
import CurlClipStore
import Foundation
import Testing

/// A test setting missing from the environment: the servers were not started.
struct MissingServerSetting: Error, CustomStringConvertible {
    var name: String
    var description: String {
        "\(name) is not set: run scripts/test.sh, which starts the FTP and SFTP test servers (scripts/ftp-server.sh, scripts/sftp-server.sh) and exports their settings"
    }
}

@Suite("CurlClipStore against pyftpdlib and sshd", .serialized)
struct CurlClipStoreTests {
    static func setting(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { throw MissingServerSetting(name: name) }
        return value
    }

    static func store(_ scheme: String, timeouts: CurlClipStore.Timeouts = .init()) throws -> CurlClipStore {
        switch scheme {
        case "ftp":
            // Credentials from the script's credentials file (mode 0600).
            let url = try setting("FTP_URL")
            let credentials = try CurlClipStore.Credentials.resolve(for: url, file: try setting("FTP_CREDENTIALS"), environment: [:])
            return try CurlClipStore(url: url, credentials: credentials, timeouts: timeouts)
        case "ftps":
            // Credentials from the environment's variables.
            let credentials = try CurlClipStore.Credentials.resolve(
                for: try setting("FTPS_URL"),
                environment: ["CLIP_STORE_USER": try setting("FTP_USER"), "CLIP_STORE_PASSWORD": try setting("FTP_PASSWORD")])
            return try CurlClipStore(
                url: try setting("FTPS_URL"), credentials: credentials, trust: .init(caFile: try setting("FTP_CA")), timeouts: timeouts)
        default:
            return try CurlClipStore(
                url: try setting("SFTP_URL"),
                credentials: .init(user: try setting("SFTP_USER"), privateKeyFile: try setting("SFTP_KEY")),
                trust: .init(hostKeySHA256: try setting("SFTP_HOST_KEY_SHA256")), timeouts: timeouts)
        }
    }

    static func root(_ scheme: String) throws -> String { try setting(scheme == "sftp" ? "SFTP_ROOT" : "FTP_ROOT") }

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "curl-clip-store-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The error `body` throws, as text; records an issue when it throws none.
    static func errorText(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> String {
        do {
            try await body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return ""
        } catch {
            let text = String(describing: error)
            // No error ever shows the FTP password.
            if let password = ProcessInfo.processInfo.environment["FTP_PASSWORD"] {
                #expect(!text.contains(password), "the password appears in: \(text)", sourceLocation: sourceLocation)
            }
            return text
        }
    }

    /// The FTP server's reply to `command` sent right after its banner (no login: a command the
    /// server does not know is answered 500 before it asks for one).
    static func ftpReply(port: Int, command: String) throws -> String {
        let socket = try StallingSocket(port: port)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func line() -> String {
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while recv(socket.descriptor, &byte, 1, 0) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = line()
        let request = Array("\(command)\r\n".utf8)
        _ = request.withUnsafeBytes { send(socket.descriptor, $0.baseAddress, $0.count, 0) }
        return line()
    }

    @Test("upload, list, download, replace and delete", arguments: ["ftp", "ftps", "sftp"])
    func roundTrip(scheme: String) async throws {
        let store = try Self.store(scheme)
        let name = "round-trip-\(scheme)-\(UUID().uuidString).sealed"
        let bytes = Self.randomBytes(300_000)
        let local = try Self.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: local) }

        try await store.upload(local, as: name)
        let listed = try await store.list()
        #expect(listed.contains(StoredClip(name: name, size: bytes.count)))
        #expect(try await store.size(of: name) == Int64(bytes.count))
        // No temporary file left behind, by the store's own listing and on the server's disk.
        #expect(try await store.entries().allSatisfy { !$0.name.hasSuffix(".uploading") })
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: try Self.root(scheme))
        #expect(onDisk.contains(name))
        #expect(!onDisk.contains(".\(name).uploading"))
        #expect(listed.allSatisfy { !$0.name.hasPrefix(".") })

        let downloaded = local + ".downloaded"
        defer { try? FileManager.default.removeItem(atPath: downloaded) }
        try await store.download(name, to: downloaded)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: downloaded))) == bytes)

        // Uploading the same name again replaces the clip (SFTP's rename alone would refuse).
        let smaller = Self.randomBytes(1000)
        let second = try Self.temporaryFile(smaller)
        defer { try? FileManager.default.removeItem(atPath: second) }
        try await store.upload(second, as: name)
        #expect(try await store.list().first { $0.name == name }?.size == smaller.count)
        try await store.download(name, to: downloaded)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: downloaded))) == smaller)

        try await store.delete(name)
        #expect(try await !store.list().contains { $0.name == name })
        #expect(!FileManager.default.fileExists(atPath: try Self.root(scheme) + "/" + name))

        // A clip that is not there: an error naming the operation, the clip and the store.
        try FileManager.default.removeItem(atPath: downloaded)
        let missing = await Self.errorText { try await store.download(name, to: downloaded) }
        #expect(missing.contains("cannot download \(name) from \(store.location)"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: downloaded))
        let notDeleted = await Self.errorText { try await store.delete(name) }
        #expect(notDeleted.contains("cannot delete \(name) from \(store.location)"), "\(notDeleted)")
    }

    @Test("the first bytes of a large clip are read without downloading it; a short clip gives all it has", arguments: ["ftp", "ftps", "sftp"])
    func prefix(scheme: String) async throws {
        let store = try Self.store(scheme)
        let name = "prefix-\(scheme)-\(UUID().uuidString).sealed"
        // 48 MiB: a distinct start, then zeros.
        let start = Self.randomBytes(70_000)
        let local = NSTemporaryDirectory() + "curl-clip-store-\(UUID().uuidString)"
        try Data(start + [UInt8](repeating: 0, count: 48 << 20)).write(to: URL(fileURLWithPath: local))
        defer { try? FileManager.default.removeItem(atPath: local) }
        try await store.upload(local, as: name)
        defer { Task { try? await store.delete(name) } }

        #expect(try await store.prefix(of: name, count: 65_536) == Array(start.prefix(65_536)))
        #expect(try await store.prefix(of: name, count: 1) == [start[0]])
        if scheme == "ftp", let directory = ProcessInfo.processInfo.environment["FTP_DIR"] {
            // The server's own account of what it sent for those two reads: nowhere near the clip.
            let log = try String(contentsOfFile: directory + "/run/server.log", encoding: .utf8)
            let sent = log.split(separator: "\n").filter { $0.contains("RETR") && $0.contains(name) }.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("bytes=") }.flatMap { Int($0.dropFirst(6)) }
            }
            #expect(sent.count == 2, "\(sent)")
            #expect(sent.allSatisfy { $0 < 16 << 20 }, "the server sent \(sent) bytes")
        }

        let short = Self.randomBytes(100)
        let shortFile = try Self.temporaryFile(short)
        defer { try? FileManager.default.removeItem(atPath: shortFile) }
        let shortName = "prefix-short-\(scheme)-\(UUID().uuidString).sealed"
        try await store.upload(shortFile, as: shortName)
        #expect(try await store.prefix(of: shortName, count: 65_536) == short)
        try await store.delete(shortName)

        let missing = await Self.errorText { _ = try await store.prefix(of: "prefix-missing.sealed", count: 10) }
        #expect(missing.contains("cannot read the start of prefix-missing.sealed on \(store.location)"), "\(missing)")
    }

    @Test("a server without MLSD (older than RFC 3659): listing falls back to NLST and SIZE, and everything else works")
    func withoutMLSD() async throws {
        let server = try OwnFTPServer(withoutMLSD: true)
        defer { server.finish() }
        let url = try #require(server.settings["FTPS_URL"])
        let credentials = try CurlClipStore.Credentials.resolve(for: url, file: try #require(server.settings["FTP_CREDENTIALS"]), environment: [:])
        let store = try CurlClipStore(url: url, credentials: credentials, trust: .init(caFile: server.settings["FTP_CA"]))

        let sizes = [0, 1, 70_000]
        for (index, size) in sizes.enumerated() {
            let local = try Self.temporaryFile(Self.randomBytes(size))
            defer { try? FileManager.default.removeItem(atPath: local) }
            try await store.upload(local, as: "old-server-\(index).sealed")
        }
        let root = try #require(server.settings["FTP_ROOT"])
        try Data("not a clip".utf8).write(to: URL(fileURLWithPath: root + "/notes.txt"))
        try Data("half".utf8).write(to: URL(fileURLWithPath: root + "/.old-server-9.sealed.uploading"))

        #expect(try await store.list() == sizes.enumerated().map { StoredClip(name: "old-server-\($0.offset).sealed", size: $0.element) })
        #expect(try await store.entries().map(\.name).contains(".old-server-9.sealed.uploading"))
        #expect(try await store.size(of: "old-server-2.sealed") == 70_000)
        #expect(try await store.prefix(of: "old-server-2.sealed", count: 10).count == 10)
        try await store.delete("old-server-1.sealed")
        #expect(try await store.list().map(\.name) == ["old-server-0.sealed", "old-server-2.sealed"])

        // The server really refused MLSD: a client asking for it directly is told so.
        let refused = try Self.ftpReply(port: try #require(URLComponents(string: url)?.port), command: "MLSD")
        #expect(refused.hasPrefix("500"), "\(refused)")
    }

    @Test("an empty clip and a name that needs escaping", arguments: ["ftp", "sftp"])
    func awkwardNames(scheme: String) async throws {
        let store = try Self.store(scheme)
        let name = "clip with spaces %20 #\(UUID().uuidString).sealed"
        let local = try Self.temporaryFile([])
        defer { try? FileManager.default.removeItem(atPath: local) }
        try await store.upload(local, as: name)
        #expect(try await store.list().contains(StoredClip(name: name, size: 0)))
        #expect(FileManager.default.fileExists(atPath: try Self.root(scheme) + "/" + name))
        try await store.delete(name)
        #expect(try await !store.list().contains { $0.name == name })

        for bad in ["", ".hidden.sealed", "a/b.sealed", "line\r\nDELE x.sealed"] {
            let text = await Self.errorText { try await store.upload(local, as: bad) }
            #expect(text.contains("is not a clip name"), "\(text)")
        }
    }

    @Test("FTPS refuses a server whose certificate is not trusted")
    func ftpsUntrusted() async throws {
        let url = try Self.setting("FTPS_URL")
        let credentials = CurlClipStore.Credentials(user: try Self.setting("FTP_USER"), password: try Self.setting("FTP_PASSWORD"))
        let local = try Self.temporaryFile(Self.randomBytes(100))
        defer { try? FileManager.default.removeItem(atPath: local) }
        let name = "untrusted-\(UUID().uuidString).sealed"

        // A CA that did not sign the server's certificate, then the system's store.
        for trust in [CurlClipStore.Trust(caFile: try Self.setting("FTP_UNTRUSTED_CA")), CurlClipStore.Trust()] {
            let store = try CurlClipStore(url: url, credentials: credentials, trust: trust)
            let text = await Self.errorText { try await store.upload(local, as: name) }
            #expect(text.contains("cannot upload \(name) to \(url)"), "\(text)")
            #expect(text.contains("certificate"), "\(text)")
            let listing = await Self.errorText { _ = try await store.list() }
            #expect(listing.contains("certificate"), "\(listing)")
        }
        #expect(!FileManager.default.fileExists(atPath: try Self.setting("FTP_ROOT") + "/" + name))
        #expect(!FileManager.default.fileExists(atPath: try Self.setting("FTP_ROOT") + "/.\(name).uploading"))
    }

    @Test("SFTP refuses a host key other than the pinned one")
    func sftpHostKeyPinning() async throws {
        let url = try Self.setting("SFTP_URL")
        let credentials = CurlClipStore.Credentials(user: try Self.setting("SFTP_USER"), privateKeyFile: try Self.setting("SFTP_KEY"))
        let fingerprint = try Self.setting("SFTP_HOST_KEY_SHA256")

        // A wrong fingerprint: the right one with its digest bytes changed.
        var digest = [UInt8](Data(base64Encoded: String(fingerprint.dropFirst("SHA256:".count)) + "=")!)
        digest[0] ^= 1
        let wrong = "SHA256:" + Data(digest).base64EncodedString()
        let pinnedWrong = try CurlClipStore(url: url, credentials: credentials, trust: .init(hostKeySHA256: wrong))
        let text = await Self.errorText { _ = try await pinnedWrong.list() }
        #expect(text.contains("cannot list \(url)") && text.contains("fingerprint"), "\(text)")

        // A known_hosts file with another key for the host, and one without the host.
        let port = URLComponents(string: url)!.port!
        let otherKey = try String(contentsOfFile: try Self.setting("SFTP_OTHER_KEY") + ".pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let otherHosts = try Self.temporaryFile(Array("[127.0.0.1]:\(port) \(otherKey)\n".utf8))
        let emptyHosts = try Self.temporaryFile([])
        defer {
            try? FileManager.default.removeItem(atPath: otherHosts)
            try? FileManager.default.removeItem(atPath: emptyHosts)
        }
        for knownHosts in [otherHosts, emptyHosts] {
            let store = try CurlClipStore(url: url, credentials: credentials, trust: .init(knownHostsFile: knownHosts))
            let text = await Self.errorText { _ = try await store.list() }
            #expect(text.contains("cannot list \(url)"), "\(text)")
        }

        // The right known_hosts file works.
        let known = try CurlClipStore(url: url, credentials: credentials, trust: .init(knownHostsFile: try Self.setting("SFTP_KNOWN_HOSTS")))
        _ = try await known.list()

        // A fingerprint that is not a SHA-256 digest is refused up front.
        #expect(throws: ClipStoreError.self) { try CurlClipStore(url: url, credentials: credentials, trust: .init(hostKeySHA256: "SHA256:abc")) }
        // A client key the server does not know: login refused.
        let stranger = try CurlClipStore(
            url: url, credentials: .init(user: try Self.setting("SFTP_USER"), privateKeyFile: try Self.setting("SFTP_OTHER_KEY")),
            trust: .init(hostKeySHA256: fingerprint))
        let denied = await Self.errorText { _ = try await stranger.list() }
        #expect(denied.contains("cannot list \(url)"), "\(denied)")
    }

    @Test("a stopped or frozen FTP server fails within seconds; once back, the upload succeeds")
    func stoppedServer() async throws {
        let script = try Self.setting("FTP_SERVER_SCRIPT")
        let directory = try Self.setting("FTP_DIR")
        let store = try Self.store("ftp", timeouts: .init(connect: .seconds(2), stall: .seconds(2)))
        let name = "while-stopped-\(UUID().uuidString).sealed"
        let bytes = Self.randomBytes(50_000)
        let local = try Self.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: local) }
        let clock = ContinuousClock()

        // Stopped: the connection is refused.
        try Self.run(script, "stop", directory)
        var restarted = false
        defer { if !restarted { try? Self.run(script, "start", directory) } }
        let start = clock.now
        let refused = await Self.errorText { try await store.upload(local, as: name) }
        #expect(clock.now - start < .seconds(5))
        #expect(refused.contains("cannot upload \(name) to \(store.location)"), "\(refused)")
        #expect(refused.contains("connect"), "\(refused)")

        try Self.run(script, "start", directory)
        restarted = true
        try await store.upload(local, as: name)
        #expect(try await store.list().contains(StoredClip(name: name, size: bytes.count)))

        // Frozen (SIGSTOP): the port accepts connections, nothing answers; the timeout ends it.
        let pid = pid_t(try String(contentsOfFile: directory + "/run/server.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let frozenStart = clock.now
        let frozen = await Self.errorText { _ = try await store.list() }
        #expect(clock.now - frozenStart < .seconds(8))
        #expect(frozen.contains("cannot list \(store.location)"), "\(frozen)")
        #expect(frozen.lowercased().contains("timeout") || frozen.contains("timed out"), "\(frozen)")
        kill(pid, SIGCONT)

        try await store.download(name, to: local + ".back")
        defer { try? FileManager.default.removeItem(atPath: local + ".back") }
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: local + ".back"))) == bytes)
        try await store.delete(name)
    }

    @Test("a server frozen mid-upload: the stall timeout ends the upload, and so does cancelling the task")
    func frozenMidUpload() async throws {
        let directory = try Self.setting("FTP_DIR")
        let root = try Self.setting("FTP_ROOT")
        let pid = pid_t(try String(contentsOfFile: directory + "/run/server.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        let local = try Self.temporaryFile(Self.randomBytes(1 << 20))
        defer { try? FileManager.default.removeItem(atPath: local) }
        // 128 MiB, so the upload is still running when the server is frozen.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: local))
        let chunk = try Data(contentsOf: URL(fileURLWithPath: local))
        handle.seekToEndOfFile()
        for _ in 1..<128 { handle.write(chunk) }
        try handle.close()
        let clock = ContinuousClock()

        for cancelling in [false, true] {
            let name = "frozen-\(cancelling ? "cancelled" : "stalled")-\(UUID().uuidString).sealed"
            let store = try Self.store("ftp", timeouts: .init(connect: .seconds(2), stall: cancelling ? .seconds(60) : .seconds(2)))
            let upload = Task { try await store.upload(local, as: name) }
            // Freeze the server once the temporary file has some bytes.
            var frozen = false
            for _ in 0..<500 {
                let size = (try? FileManager.default.attributesOfItem(atPath: root + "/.\(name).uploading"))?[.size] as? Int ?? 0
                if size > 0 {
                    kill(pid, SIGSTOP)
                    frozen = true
                    break
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            defer { kill(pid, SIGCONT) }
            #expect(frozen, "the upload never started")
            let start = clock.now
            if cancelling {
                try await Task.sleep(for: .milliseconds(500))
                upload.cancel()
            }
            let text = await Self.errorText { try await upload.value }
            // libcurl averages the speed over about five seconds, so a stall is seen within the stall
            // time plus up to six seconds.
            #expect(clock.now - start < .seconds(cancelling ? 4 : 11), "\(text)")
            #expect(text.contains("cannot upload \(name) to \(store.location)"), "\(text)")
            #expect(text.contains(cancelling ? "cancelled" : "the server stopped answering"), "\(text)")
            kill(pid, SIGCONT)
            // Never a clip under its final name; the partial temporary file is the store's to replace.
            #expect(!FileManager.default.fileExists(atPath: root + "/" + name))
            try? FileManager.default.removeItem(atPath: root + "/.\(name).uploading")
        }
    }

    /// Runs a server script and waits for it (posix_spawn and waitpid: Foundation's Process waits
    /// on a descriptor the server started in the background inherits, so it never returns).
    static func run(_ arguments: String...) throws {
        var actions: posix_spawn_file_actions_t = .init()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["/bin/bash"] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for item in argv + environment { free(item) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environment)
        guard spawned == 0 else { throw ClipStoreError("cannot run \(arguments.joined(separator: " ")): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else { throw ClipStoreError("\(arguments.joined(separator: " ")) failed (status \(status))") }
    }

    @Test("a wrong password is refused, and no error or description shows it")
    func wrongPassword() async throws {
        let password = try Self.setting("FTP_PASSWORD")
        let url = try Self.setting("FTPS_URL")
        let wrongPassword = "not-" + password
        let store = try CurlClipStore(
            url: url, credentials: .init(user: try Self.setting("FTP_USER"), password: wrongPassword), trust: .init(caFile: try Self.setting("FTP_CA")))
        let text = await Self.errorText { _ = try await store.list() }
        #expect(text.contains("cannot list \(url)"), "\(text)")
        #expect(!text.contains(wrongPassword))

        let credentials = CurlClipStore.Credentials(user: "clips", password: password, keyPassphrase: "passphrase")
        for shown in [String(describing: credentials), String(reflecting: credentials), String(describing: store), String(reflecting: store)] {
            #expect(!shown.contains(password) && !shown.contains("passphrase\""), "\(shown)")
        }
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains(password))

        // Credentials in the URL are refused, and the refusal does not repeat them.
        let inURL = url.replacingOccurrences(of: "ftps://", with: "ftps://clips:\(password)@")
        let refused = await Self.errorText { _ = try CurlClipStore(url: inURL, credentials: nil) }
        #expect(refused.contains("credentials in a URL are refused"), "\(refused)")
    }

    @Test("the credentials file must be private and is matched by host and port")
    func credentialsFile() throws {
        let path = try Self.temporaryFile(Array("""
            # a comment
            example.com:21 wrong:port
            sftp://127.0.0.1 camera key=/keys/camera passphrase=s3cret
            127.0.0.1:2121 clips:pa:ss
            127.0.0.1 anyport:pw

            """.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }

        chmod(path, 0o644)
        let refusal = #expect(throws: ClipStoreError.self) { try CurlClipStore.Credentials.load(fromFile: path, for: "ftp://127.0.0.1:2121/") }
        let text = refusal?.message ?? ""
        #expect(text.contains("may be read by others (mode 644)") && text.contains("chmod 600 \(path)"), "\(text)")
        #expect(!text.contains("pa:ss"))
        chmod(path, 0o640)
        #expect(throws: ClipStoreError.self) { try CurlClipStore.Credentials.load(fromFile: path, for: "ftp://127.0.0.1:2121/") }

        chmod(path, 0o600)
        let ftp = try #require(try CurlClipStore.Credentials.load(fromFile: path, for: "ftp://127.0.0.1:2121/clips/"))
        #expect(ftp.user == "clips" && ftp.password == "pa:ss" && ftp.privateKeyFile == nil)
        let other = try #require(try CurlClipStore.Credentials.load(fromFile: path, for: "ftps://127.0.0.1:990/"))
        #expect(other.user == "anyport" && other.password == "pw")
        let sftp = try #require(try CurlClipStore.Credentials.load(fromFile: path, for: "sftp://127.0.0.1:2222/srv/"))
        #expect(sftp.user == "camera" && sftp.password == nil && sftp.privateKeyFile == "/keys/camera" && sftp.keyPassphrase == "s3cret")
        #expect(try CurlClipStore.Credentials.load(fromFile: path, for: "ftp://elsewhere.example/") == nil)
        #expect(throws: ClipStoreError.self) { try CurlClipStore.Credentials.resolve(for: "ftp://elsewhere.example/", file: path) }

        // The environment: a file named by CLIP_STORE_CREDENTIALS, else user and password.
        let named = try CurlClipStore.Credentials.resolve(for: "ftp://127.0.0.1:2121/", environment: ["CLIP_STORE_CREDENTIALS": path])
        #expect(named?.password == "pa:ss")
        let variables = try CurlClipStore.Credentials.resolve(
            for: "ftp://host/", environment: ["CLIP_STORE_USER": "u", "CLIP_STORE_PASSWORD": "p", "CLIP_STORE_KEY": "/k"])
        #expect(variables?.user == "u" && variables?.password == "p" && variables?.privateKeyFile == "/k")
        #expect(try CurlClipStore.Credentials.resolve(for: "ftp://host/", environment: [:]) == nil)
        #expect(throws: ClipStoreError.self) { try CurlClipStore.Credentials.resolve(for: "ftp://host/", environment: ["CLIP_STORE_PASSWORD": "p"]) }
        #expect(throws: ClipStoreError.self) { try CurlClipStore.Credentials.load(fromFile: path + ".missing", for: "ftp://host/") }
    }

    @Test("URLs: file:// is a directory store; other schemes and unpinned SFTP are refused")
    func urls() async throws {
        let directory = NSTemporaryDirectory() + "curl-clip-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let local = try CurlClipStore.store(for: "file://\(directory)", environment: [:])
        #expect(local is DirectoryClipStore)
        #expect(local.location == "file://\(directory)")

        let remote = try CurlClipStore.store(for: "ftp://127.0.0.1:2121/clips", environment: [:])
        #expect(remote.location == "ftp://127.0.0.1:2121/clips/")
        #expect(throws: ClipStoreError.self) { try CurlClipStore(url: "http://127.0.0.1/", credentials: nil) }
        #expect(throws: ClipStoreError.self) { try CurlClipStore(url: "ftp:///nohost/", credentials: nil) }
        #expect(throws: ClipStoreError.self) {
            try CurlClipStore(url: "sftp://127.0.0.1:2222/srv/", credentials: nil, trust: .init(knownHostsFile: directory + "/missing"))
        }
    }
}
