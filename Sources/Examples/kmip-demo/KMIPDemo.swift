// swift-kmip: `kmip-demo`, the original system's whole flow in one command.
//
// camera -> KMIP key -> seal -> upload -> fetch -> KMIP key -> open -> check, with a key
// rotation and a crypto-shredding at the end, all against the reference server started in
// process on a data directory that persists.

import ArgumentParser
import ClipSupport
import Crypto
import CurlClipStore
import Foundation
import KMIP
import KMIPServer
import Logging
import SealedFile

@main
struct KMIPDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip-demo",
        abstract: "Record, seal, upload, fetch and open camera clips with keys from a KMIP server, then shred a key.",
        discussion: """
            Starts the reference KMIP server in this process (TTLV over mutual TLS on a free loopback \
            port, certificates generated in DATA/server/certs), records clips (ffmpeg's test source when \
            ffmpeg is installed, else a bundled sample clip), seals each one as it is recorded with an \
            AES-256 key created and activated over KMIP, uploads it to DATA/clips, rotates the key, then \
            fetches every clip, gets its key over KMIP, opens it and compares it with what was recorded \
            (SHA-256). Finally it destroys the oldest key and shows that its clips no longer open. \
            Exits 1 when any check fails.
            """)

    @Option(help: "The data directory (server, spool, clips); kept between runs.")
    var data = "./kmip-demo-data"

    @Option(help: "Clips to record.")
    var clips = 4

    @Option(help: "Seconds per clip (ffmpeg only).")
    var seconds = 2

    @Option(help: "Rotate the key after this many clips.")
    var rotateEvery = 2

    @Option(help: "A capture command template ({output} {duration} {width} {height} {fps}); default: ffmpeg's test source when ffmpeg is installed.")
    var capture: String?

    @Flag(help: "Use the bundled sample clip even when ffmpeg is installed.")
    var sample = false

    @Option(help: "Upload to this store instead of DATA/clips: ftp://, ftps:// or sftp:// (credentials from CLIP_STORE_CREDENTIALS or CLIP_STORE_USER/CLIP_STORE_PASSWORD/CLIP_STORE_KEY; CLIP_STORE_CA, CLIP_STORE_HOST_KEY), or file:///DIR.")
    var store: String?

    @Option(help: "Talk to the key manager through the HTTPS profile with this body encoding (xml, as the original system did; ttlv or json) instead of TTLV over TLS.")
    var https: String?

    func validate() throws {
        if let https, KMIPClientConfiguration.HTTPSEncoding(rawValue: https) == nil {
            throw ValidationError("--https takes xml, ttlv or json, not '\(https)'")
        }
        guard clips >= 1 else { throw ValidationError("--clips must be at least 1") }
        guard rotateEvery >= 1, clips > rotateEvery else { throw ValidationError("--rotate-every must be at least 1 and below --clips, so that one rotation happens") }
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be 1 to 600") }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: data).standardizedFileURL.path
        let run = Self.runStamp()
        say("kmip-demo: data in \(root) (kept between runs), run \(run)")

        // 1. The key manager: the reference server, in process.
        let directory = KMIPServerDataDirectory(path: root + "/server")
        let listener: KMIPTLSListener
        var httpsListener: KMIPHTTPSListener?
        do {
            try directory.prepare()
            // Three identities, each with its own certificate, and a policy that lets the viewer
            // read the camera's keys and the administrator retire them.
            for identity in ["camera", "viewer", "admin"] where !FileManager.default.fileExists(atPath: directory.clientCertificatePath(identity)) {
                try directory.issueClient(identity)
            }
            if !FileManager.default.fileExists(atPath: directory.policyPath) {
                try Self.policy.encoded().write(to: URL(fileURLWithPath: directory.policyPath))
            }
            let policy = try KMIPAccessPolicy.load(from: directory.policyPath)
            let store = try SQLiteObjectStore(path: directory.databasePath, masterKey: try KMIPMasterKey.load(from: directory.masterKeyPath))
            var logger = Logger(label: "kmip-demo.server")
            logger.logLevel = .warning
            let engine = KMIPServerEngine(store: store, policy: policy, auditLog: try KMIPAuditLog(path: directory.auditLogPath), logger: logger)
            var configuration = KMIPTLSListener.Configuration(
                certificateChainFile: directory.serverCertificatePath, privateKeyFile: directory.serverKeyPath, clientCAFile: directory.caCertificatePath)
            configuration.port = 0
            listener = try await KMIPTLSListener.start(engine: engine, configuration: configuration, logger: logger)
            if https != nil {
                httpsListener = try await KMIPHTTPSListener.start(engine: engine, configuration: configuration, logger: logger)
            }
        } catch {
            fail("cannot start the KMIP server: \(error)")
        }
        let serverAddress = httpsListener.map { "https://127.0.0.1:\($0.port)\(KMIPHTTPSListener.path) (HTTPS profile, \(https ?? "") bodies)" } ?? "127.0.0.1:\(listener.port) (TTLV)"
        say("1. KMIP server (reference, SQLite store, mutual TLS) listening on \(serverAddress); policy \(directory.policyPath)")

        func client(_ identity: String) throws -> KMIPClient {
            var clientLogger = Logger(label: "kmip-demo.\(identity)")
            clientLogger.logLevel = .error
            var configuration = KMIPClientConfiguration(
                endpoints: [.init(host: "127.0.0.1", port: httpsListener?.port ?? listener.port)],
                tls: KMIPTLSConfiguration(
                    identity: .pemFiles(certificateChain: directory.clientCertificatePath(identity), privateKey: directory.clientKeyPath(identity)),
                    trustRoots: .pemFile(directory.caCertificatePath)))
            if let https, let encoding = KMIPClientConfiguration.HTTPSEncoding(rawValue: https) {
                configuration.transport = .https(encoding: encoding)
            }
            configuration.logger = clientLogger
            return try KMIPClient(configuration: configuration)
        }
        let kmip: KMIPClient, viewer: KMIPClient, admin: KMIPClient
        do {
            kmip = try client("camera")
            viewer = try client("viewer")
            admin = try client("admin")
            say("   identities camera, viewer and admin (certificates in \(directory.certificatesPath)); camera negotiated KMIP \(try await kmip.protocolVersion())")
        } catch {
            fail("cannot connect to the KMIP server: \(error)")
        }

        var failures: [String] = []
        var rows: [Row] = []
        do {
            let spool = root + "/spool"
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for partial in ClipSealing.removeInterruptedSealings(in: spool) {
                say("   removed \(partial) from the spool: a recording an earlier run did not finish")
            }
            let store: any ClipStore
            if let url = self.store {
                let environment = ProcessInfo.processInfo.environment
                store = try CurlClipStore.store(
                    for: url,
                    trust: CurlClipStore.Trust(
                        caFile: environment["CLIP_STORE_CA"], hostKeySHA256: environment["CLIP_STORE_HOST_KEY"],
                        knownHostsFile: environment["CLIP_STORE_KNOWN_HOSTS"]),
                    credentialsFile: environment["CLIP_STORE_CREDENTIALS"])
            } else {
                store = try DirectoryClipStore(directory: root + "/clips")
            }
            let camera = try cameraSource()
            say("2. camera: \(camera.description); clips sealed as they are recorded, uploaded to \(store.location)")

            // 2. Record, seal, upload; a new key every `rotateEvery` clips, the old one revoked.
            var keys: [UniqueIdentifier] = []
            for index in 0..<clips {
                if index % rotateEvery == 0 {
                    let key = try await kmip.createSymmetricKey(
                        algorithm: .aes, length: 256, name: "kmip-demo \(run) key \(keys.count + 1)", objectGroup: Self.cameraGroup)
                    try await kmip.activate(key)
                    if let previous = keys.last {
                        try await kmip.revoke(previous, reason: .superseded, message: "rotated after \(rotateEvery) clips")
                        say("   key rotated: \(previous) revoked (superseded), \(key) created and activated")
                    } else {
                        say("   key \(key) created and activated")
                    }
                    keys.append(key)
                }
                let key = keys[keys.count - 1]
                let keyBytes = try await ClipKeys.material(kmip, key)
                let name = "clip-\(run)-\(index + 1).sealed"
                let header = SealedFileHeader(
                    serverIdentity: "kmip-demo reference server", keyIdentifier: key.description,
                    metadata: ["captured": Self.iso8601(Date()), "source": camera.description, "clip": "\(index + 1)"])
                let sealed = try camera.record(seconds: seconds) { source, finish in
                    try ClipSealing.seal(from: &source, into: spool, name: name, header: header, key: keyBytes, beforeKeeping: finish)
                }
                try await store.upload(sealed.path, as: name)
                try FileManager.default.removeItem(atPath: sealed.path)
                rows.append(Row(name: name, key: key, plaintextSize: sealed.plaintextSize, sealedSize: sealed.sealedSize, sha256: sealed.plaintextSHA256))
                say("   \(name): \(sealed.plaintextSize) bytes recorded, sealed with key \(key), uploaded (\(sealed.sealedSize) bytes)")
            }
            let leftInSpool = try FileManager.default.contentsOfDirectory(atPath: spool).filter { name in rows.contains { name.contains($0.name) } }
            if !leftInSpool.isEmpty { failures.append("the spool still holds \(leftInSpool)") }

            // 3. Fetch, get the key named in the header over KMIP, open, compare.
            say("3. the viewer fetches and opens every clip")
            let work = root + "/work"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for index in rows.indices {
                let local = work + "/" + rows[index].name
                try await store.download(rows[index].name, to: local)
                defer { try? FileManager.default.removeItem(atPath: local) }
                let opened = try await ClipSealing.open(local) { header in
                    try await ClipKeys.material(viewer, .text(header.keyIdentifier))
                }
                rows[index].opened = opened.sha256 == rows[index].sha256 && opened.size == rows[index].plaintextSize
                if rows[index].opened != true { failures.append("\(rows[index].name) does not open to what was recorded") }
                say("   \(rows[index].name): key \(opened.header.keyIdentifier) from KMIP, \(opened.size) bytes, SHA-256 \(rows[index].opened == true ? "matches" : "DIFFERS")")
            }

            // 4. Shred the oldest key: its clips become unreadable everywhere.
            let oldest = keys[0]
            try await admin.destroy(oldest)
            let state = try await kmip.getAttributes(oldest, [.state]).state
            say("4. the admin destroyed key \(oldest) (state now \(state.map { "\($0)" } ?? "?")): its clips must no longer open")
            for index in rows.indices where rows[index].key == oldest {
                let local = work + "/" + rows[index].name
                try await store.download(rows[index].name, to: local)
                defer { try? FileManager.default.removeItem(atPath: local) }
                do {
                    try await ClipSealing.open(local) { header in try await ClipKeys.material(viewer, .text(header.keyIdentifier)) }
                    rows[index].afterShred = "STILL OPENS"
                    failures.append("\(rows[index].name) still opens after its key was destroyed")
                } catch let error as KMIPOperationError where error.resultReason == .objectDestroyed {
                    rows[index].afterShred = "unreadable (key destroyed)"
                }
            }
            for index in rows.indices where rows[index].key != oldest { rows[index].afterShred = "opens" }
        } catch {
            failures.append("\(error)")
        }
        for client in [kmip, viewer, admin] { await client.shutdown() }
        await listener.shutdown()
        await httpsListener?.shutdown()

        printSummary(rows)
        say("""

            Look at the same data yourself:
              swift run kmip-server --data \(root)/server
              swift run kmip locate --server 127.0.0.1:5696 --ca \(directory.caCertificatePath) --cert \(directory.clientCertificatePath("camera")) --key \(directory.clientKeyPath("camera"))
            and, while it runs, the web viewer (as the viewer identity; add yourself as a user first):
              swift run fetch-decrypt users add me --state \(root)/viewer
              swift run fetch-decrypt serve --state \(root)/viewer --cache \(root)/viewer/cache --store \(store ?? "file://\(root)/clips") --kmip-server 127.0.0.1:5696 --kmip-ca \(directory.caCertificatePath) --kmip-cert \(directory.clientCertificatePath("viewer")) --kmip-key \(directory.clientKeyPath("viewer"))
            The sealed clips are in \(store ?? "\(root)/clips") (format: docs/SealedFileFormat.md); the server's audit log is \(directory.auditLogPath).
            """)
        if failures.isEmpty {
            say("kmip-demo: every check passed")
        } else {
            for failure in failures { FileHandle.standardError.write(Data("kmip-demo: FAILED: \(failure)\n".utf8)) }
            throw ExitCode(1)
        }
    }

    // MARK: - Parts

    /// The Object Group of the camera's keys.
    static let cameraGroup = "kmip-demo-camera"

    /// The viewer may read the camera's keys, the administrator may retire them.
    static let policy = KMIPAccessPolicy(grants: [
        .init(identity: "viewer", objectGroup: cameraGroup, operations: [.get, .getAttributes, .locate]),
        .init(identity: "admin", objectGroup: cameraGroup, operations: [.getAttributes, .locate, .revoke, .destroy]),
    ])

    struct Row {
        var name: String
        var key: UniqueIdentifier
        var plaintextSize: Int
        var sealedSize: Int
        var sha256: [UInt8]
        var opened: Bool?
        var afterShred = "-"
    }

    /// Where clips come from.
    enum Camera: CustomStringConvertible {
        case command(CaptureCommand)
        case sample(URL)

        var description: String {
            switch self {
            case .command(let command): "`\(command.template.split(separator: " ").first ?? "")` (\(command.template.contains("testsrc") ? "ffmpeg test source" : "capture command"))"
            case .sample(let url): "bundled sample clip \(url.lastPathComponent) (ffmpeg not installed)"
            }
        }

        /// Records one clip into `body`, which must call `finish` before keeping it.
        func record<T>(seconds: Int, _ body: (inout FileHandleSource, _ finish: () throws -> Void) throws -> T) throws -> T {
            switch self {
            case .command(let command):
                let capture = try command.start(duration: seconds, width: 320, height: 240, fps: 15)
                defer { capture.cancel() }
                return try body(&capture.source, capture.finish)
            case .sample(let url):
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                var source = FileHandleSource(handle)
                return try body(&source, {})
            }
        }
    }

    func cameraSource() throws -> Camera {
        if let capture { return .command(CaptureCommand(template: capture)) }
        if !sample, CaptureCommand.findExecutable("ffmpeg") != nil { return .command(.ffmpegTestSource) }
        guard let url = Bundle.module.url(forResource: "sample", withExtension: "mp4") else {
            throw ClipStoreError("the bundled sample clip is missing and ffmpeg is not installed")
        }
        return .sample(url)
    }

    func printSummary(_ rows: [Row]) {
        var lines = [["clip", "key", "recorded", "sealed", "fetched + opened", "after shredding key 1"]]
        for row in rows {
            lines.append([
                row.name, String(row.key.description.prefix(8)), "\(row.plaintextSize) B", "\(row.sealedSize) B",
                row.opened == nil ? "-" : row.opened! ? "SHA-256 ok" : "MISMATCH", row.afterShred,
            ])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        say("")
        for (number, line) in lines.enumerated() {
            say(zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
            if number == 0 { say(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
    }

    static func runStamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        // Two runs in one second must not reuse clip names.
        return formatter.string(from: Date()) + "-" + String(UInt16.random(in: 0...UInt16.max), radix: 16)
    }

    static func iso8601(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Prints a line at once (also when the output is a pipe).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kmip-demo: \(message)\n".utf8))
    exit(1)
}
