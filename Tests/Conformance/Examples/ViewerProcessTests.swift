// `fetch-decrypt users` and `fetch-decrypt serve` as processes: a clip the camera program sealed
// with a key from kmip-server plays in the web viewer after login, with Range requests, and stops
// playing once an administrator shreds its key.

import AsyncHTTPClient
import Foundation
import KMIPServer
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@Suite("fetch-decrypt serve", .serialized)
struct ViewerProcessTests {
    @Test("users add reads the password from stdin; serve lists the camera's clip after login, plays byte ranges, and refuses it once its key is shredded")
    func serveOverKMIP() async throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let input = try rig.inputs(1, size: 300_000)[0]
        let camera = try ExampleProgram.run(
            "camera-encrypt-upload", ["--camera-id", "door", "--spool", rig.root + "/spool", "--files", input.path, "--give-up-after", "20"],
            environment: rig.environment())
        #expect(camera.status == 0, "\(camera.stderr)")
        let name = try #require(try ClipFiles.names(rig.root + "/store").first)

        // A user, with the password on standard input.
        let state = rig.root + "/viewer-state"
        let add = Process()
        add.executableURL = try ExampleProgram.url("fetch-decrypt")
        add.arguments = ["users", "add", "alice", "--state", state]
        let stdin = Pipe()
        add.standardInput = stdin
        add.standardOutput = FileHandle.nullDevice
        try add.run()
        stdin.fileHandleForWriting.write(Data("a long enough secret\n".utf8))
        try stdin.fileHandleForWriting.close()
        add.waitUntilExit()
        #expect(add.terminationStatus == 0)
        let users = try String(contentsOfFile: state + "/users.json", encoding: .utf8)
        #expect(users.contains("alice") && !users.contains("a long enough secret"))
        #expect((try FileManager.default.attributesOfItem(atPath: state + "/users.json")[.posixPermissions] as? Int) == 0o600)

        let viewer = try BackgroundProgram(
            "fetch-decrypt", ["serve", "--port", "0", "--state", state, "--cache", rig.root + "/cache", "--key-cache", "0"], environment: rig.environment())
        defer { _ = viewer.stop(SIGTERM) }
        #expect(viewer.wait(seconds: 60) { viewer.stdout.contains("clips from") }, "\(viewer.stdout)\n\(viewer.stderr)")
        let url = try #require(viewer.stdout.split(separator: "\n").first { $0.hasPrefix("viewer listening on ") }).dropFirst("viewer listening on ".count)
        let certificate = try #require(viewer.stdout.split(separator: "\n").first { $0.hasPrefix("certificate: ") })
            .dropFirst("certificate: ".count).split(separator: " ").first.map(String.init)

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(try #require(certificate)))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow))
        var cookies: [String: String] = [:]
        func send(_ path: String, method: HTTPMethod = .GET, form: String? = nil, range: String? = nil) async throws -> (status: UInt, body: [UInt8]) {
            var request = HTTPClientRequest(url: String(url) + path.dropFirst())
            request.method = method
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            if let range { request.headers.add(name: "Range", value: range) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            for line in response.headers["Set-Cookie"] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
            }
            return (response.status.code, Array(buffer: body))
        }
        do {
            #expect(try await send("/").status == 303, "login is required")
            let page = String(decoding: try await send("/login").body, as: UTF8.self)
            let csrf = try #require(page.range(of: "name=\"csrf\" value=\"").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) })
            let login = try await send("/login", method: .POST, form: "csrf=\(csrf)&username=alice&password=a+long+enough+secret")
            #expect(login.status == 303)
            let list = String(decoding: try await send("/").body, as: UTF8.self)
            #expect(list.contains(name) && list.contains("Active"), "\(list)")
            let range = try await send("/clips/\(name)/video", range: "bytes=70000-200123")
            #expect(range.status == 206)
            #expect(range.body == Array(input.bytes[70000...200123]))

            // The administrator (here the same identity) shreds the key: the clip no longer plays.
            let later = Date(timeIntervalSinceNow: 5).formatted(.iso8601)
            let shred = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", later, "--cache", rig.root + "/cache-admin"], environment: rig.environment())
            #expect(shred.status == 0, "\(shred.stderr)")
            // The clip is gone from the store; the viewer's cached copy is refused for its key.
            let gone = try await send("/clips/\(name)/video", range: "bytes=0-99")
            #expect(gone.status == 410 || gone.status == 404, "status \(gone.status)")
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        let accessLog = try String(contentsOfFile: state + "/access.log", encoding: .utf8)
        #expect(accessLog.contains("alice") && accessLog.contains(name))
    }
}
