// `camera-encrypt-upload` and `fetch-decrypt` run as processes against `kmip-server` (and PyKMIP):
// record, seal, spool, upload, list, get, shred; a camera killed mid-recording loses no finished
// clip and leaves no plaintext.

import Foundation
import KMIP
import KMIPServer
import SealedFile
import Testing

/// Runs one of the example programs built beside `kmip`.
enum ExampleProgram {
    static func url(_ name: String) throws -> URL {
        try #require(ToolRunner.executable).deletingLastPathComponent().appendingPathComponent(name)
    }

    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ToolResult {
        try ToolRunner.run(url(name), arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    }
}

/// An example program running in the background, its stderr collected as it comes.
final class BackgroundProgram: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = Data()
    private var collectedOutput = Data()
    private let done = DispatchGroup()

    init(_ name: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = try ExampleProgram.url(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe(), output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        done.enter()
        DispatchQueue.global().async { [self] in
            // availableData returns what the pipe holds now (read(upToCount:) waits for the count).
            while case let data = errors.fileHandleForReading.availableData, !data.isEmpty {
                lock.withLock { collected += data }
            }
            done.leave()
        }
        done.enter()
        DispatchQueue.global().async { [self] in
            while case let data = output.fileHandleForReading.availableData, !data.isEmpty {
                lock.withLock { collectedOutput += data }
            }
            done.leave()
        }
    }

    var stderr: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }
    var stdout: String { lock.withLock { String(decoding: collectedOutput, as: UTF8.self) } }

    /// Waits up to `seconds` for `condition`; false on timeout.
    func wait(seconds: Double = 60, until condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    /// Sends `signal` and waits for the exit; returns the status.
    func stop(_ signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        done.wait()
        return process.terminationStatus
    }
}

/// A kmip-server process on a fresh data directory, and the environment that points the camera
/// and viewer programs at it with one identity.
struct CameraRig {
    let root: String
    let server: ServerProcess
    let data: KMIPServerDataDirectory

    init() throws {
        root = try makeTemporaryDirectory("swift-kmip-camera")
        data = KMIPServerDataDirectory(path: root + "/server")
        server = try ServerProcess(arguments: ["--data", data.path])
    }

    func environment(identity: String = "client") -> [String: String] {
        [
            "KMIP_SERVER": "127.0.0.1:\(server.port)", "KMIP_CA": data.caCertificatePath,
            "KMIP_CERT": data.clientCertificatePath(identity), "KMIP_KEY": data.clientKeyPath(identity),
            "CLIP_STORE": "file://\(root)/store",
        ]
    }

    func finish() {
        server.kill(SIGTERM)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `count` files of random bytes under `root/in`.
    func inputs(_ count: Int, size: Int = 200_000) throws -> [(path: String, bytes: [UInt8])] {
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        return try (0..<count).map { index in
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255) }
            let path = root + "/in/input-\(index).bin"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return (path, bytes)
        }
    }
}

/// The clips `fetch-decrypt list --json` reports.
func listedClips(_ rig: CameraRig) throws -> [[String: Any]] {
    let listed = try ExampleProgram.run("fetch-decrypt", ["list", "--json", "--cache", rig.root + "/cache"], environment: rig.environment())
    #expect(listed.status == 0, "\(listed.stderr)")
    return try listed.stdoutText.split(separator: "\n").map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
}

@Suite("Camera and viewer programs", .serialized)
struct CameraFlowTests {
    @Test("camera seals and uploads with rotation; list shows key states; get restores every byte; shred keeps shared keys and retires old ones")
    func flowRotationAndShred() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let inputs = try rig.inputs(4)
        let camera = ["--camera-id", "cam1", "--spool", rig.root + "/spool", "--rotate-every-clips", "3", "--give-up-after", "20"]

        // Two clips with key A, then (after a cut-off time) one more with key A and one with key B.
        let first = try ExampleProgram.run("camera-encrypt-upload", camera + ["--files", inputs[0].path, inputs[1].path], environment: rig.environment())
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("created and activated (group camera)"))
        Thread.sleep(forTimeInterval: 1.1)
        let cutoff = Date().formatted(.iso8601)
        Thread.sleep(forTimeInterval: 1.1)
        let second = try ExampleProgram.run("camera-encrypt-upload", camera + ["--files", inputs[2].path, inputs[3].path], environment: rig.environment())
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("key rotated:") && second.stderr.contains("revoked (superseded)"), "\(second.stderr)")
        #expect(second.stderr.contains("done: 2 clips uploaded"))
        #expect(try ClipFiles.names(rig.root + "/spool").filter { $0.hasSuffix(".sealed") }.isEmpty)

        let clips = try listedClips(rig)
        #expect(clips.count == 4)
        let keys = clips.compactMap { $0["key"] as? String }
        #expect(Set(keys).count == 2)
        #expect(keys[0] == keys[1] && keys[1] == keys[2] && keys[3] != keys[0])
        #expect(clips.map { $0["keyState"] as? String } == ["Deactivated", "Deactivated", "Deactivated", "Active"])
        #expect(clips.allSatisfy { ($0["metadata"] as? [String: String])?["camera"] == "cam1" })
        // Listing reads headers only: nothing was downloaded into the cache.
        #expect(try ClipFiles.names(rig.root + "/cache").isEmpty)

        // Every clip opens to exactly what was recorded; plaintext exists only in the output.
        let names = clips.compactMap { $0["name"] as? String }
        let got = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", rig.root + "/cache", "-o", rig.root + "/out"] + names, environment: rig.environment())
        #expect(got.status == 0, "\(got.stderr)")
        for (index, name) in names.enumerated() {
            let output = rig.root + "/out/" + name.replacingOccurrences(of: ".sealed", with: ".bin")
            #expect(FileManager.default.contents(atPath: output).map(Array.init) == inputs[index].bytes, "\(name)")
        }
        for input in inputs {
            let needle = Array(input.bytes[1000..<1064])
            #expect(files(under: rig.root + "/store", containing: needle).isEmpty)
            #expect(files(under: rig.root + "/spool", containing: needle).isEmpty)
            #expect(files(under: rig.root + "/cache", containing: needle).isEmpty)
            #expect(files(under: rig.data.path, containing: needle).isEmpty)
        }
        let again = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", rig.root + "/cache", "-o", rig.root + "/out", names[0]], environment: rig.environment())
        #expect(again.status == 1 && again.stderr.contains("exists (use --force"), "\(again.stderr)")

        // Key A also sealed a clip after the cut-off: it is kept.
        let kept = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", cutoff, "--cache", rig.root + "/cache"], environment: rig.environment())
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stderr.contains("key \(keys[0]): kept, it also sealed 1 clips captured on or after"), "\(kept.stderr)")
        #expect(try listedClips(rig).count == 4)

        // Everything before now: both keys destroyed, the clips deleted and unreadable.
        let local = rig.root + "/kept-copy.sealed"
        try FileManager.default.copyItem(atPath: rig.root + "/store/" + names[0], toPath: local)
        let now = Date(timeIntervalSinceNow: 2).formatted(.iso8601)
        let dry = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", now, "--dry-run", "--cache", rig.root + "/cache"], environment: rig.environment())
        #expect(dry.stderr.contains("would shred key \(keys[0]) and delete 3 clips") && dry.stderr.contains("would shred key \(keys[3]) and delete 1 clips"), "\(dry.stderr)")
        #expect(try listedClips(rig).count == 4)
        let shred = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", now, "--cache", rig.root + "/cache"], environment: rig.environment())
        #expect(shred.status == 0, "\(shred.stderr)")
        #expect(shred.stderr.contains("state Destroyed"))
        #expect(try listedClips(rig).isEmpty)
        // A copy kept elsewhere no longer opens: its key is gone.
        try FileManager.default.createDirectory(atPath: rig.root + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: local, toPath: rig.root + "/elsewhere/" + names[0])
        var elsewhere = rig.environment()
        elsewhere["CLIP_STORE"] = "file://\(rig.root)/elsewhere"
        let dead = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", rig.root + "/cache2", "-o", rig.root + "/out2", names[0]], environment: elsewhere)
        #expect(dead.status == 1 && dead.stderr.contains("its key was destroyed"), "\(dead.stderr)")
        #expect(try ClipFiles.names(rig.root + "/out2").isEmpty)
    }

    @Test("a camera killed while recording loses no finished clip, leaves no plaintext, and a restart uploads what the spool holds")
    func killedWhileRecording() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let inputs = try rig.inputs(1, size: 100_000)
        // The capture command writes a known clip, then hangs in the middle of the next one.
        let script = rig.root + "/capture.sh"
        let marker = rig.root + "/count"
        try """
            #!/bin/sh
            n=$(cat \(marker) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(marker)
            cat \(inputs[0].path)
            [ $n -ge 3 ] && sleep 60
            exit 0
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        // The store is not there yet: clips stay in the spool.
        var environment = rig.environment()
        environment["CLIP_STORE"] = "/dev/null/store"
        let camera = try BackgroundProgram(
            "camera-encrypt-upload", ["--camera-id", "cam2", "--spool", rig.root + "/spool", "--capture", script, "--clips", "5"], environment: environment)
        // Wait until the third recording started (two clips sealed), then SIGKILL.
        #expect(camera.wait { (try? String(contentsOfFile: marker, encoding: .utf8))?.hasPrefix("3") == true })
        // ... and its sealing has begun.
        #expect(camera.wait { (try? ClipFiles.names(rig.root + "/spool"))?.contains { $0.hasSuffix(".sealing") } == true })
        _ = camera.stop(SIGKILL)
        let spooled = try ClipFiles.names(rig.root + "/spool")
        #expect(spooled.filter { $0.hasSuffix(".sealed") && !$0.hasPrefix(".") }.count == 2, "\(spooled)")
        #expect(spooled.contains { $0.hasSuffix(".sealing") }, "the interrupted recording's ciphertext: \(spooled)")
        let needle = Array(inputs[0].bytes[5000..<5064])
        #expect(files(under: rig.root + "/spool", containing: needle).isEmpty, "no plaintext in the spool")

        // Restart with the store reachable and nothing to record: the spool drains.
        let resumed = try ExampleProgram.run(
            "camera-encrypt-upload", ["--camera-id", "cam2", "--spool", rig.root + "/spool", "--upload-only", "--give-up-after", "20"], environment: rig.environment())
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("removed ") && resumed.stderr.contains("interrupted"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("done: 2 clips uploaded"), "\(resumed.stderr)")
        #expect(try ClipFiles.names(rig.root + "/spool") == ["camera-state.json"])
        let clips = try listedClips(rig)
        #expect(clips.count == 2)
        let got = try ExampleProgram.run(
            "fetch-decrypt", ["get", "--cache", rig.root + "/cache", "-o", rig.root + "/out"] + clips.compactMap { $0["name"] as? String }, environment: rig.environment())
        #expect(got.status == 0, "\(got.stderr)")
        for name in try ClipFiles.names(rig.root + "/out") {
            #expect(FileManager.default.contents(atPath: rig.root + "/out/" + name).map(Array.init) == inputs[0].bytes)
        }
    }

    @Test("a store that cannot be reached keeps every clip in the spool and exits 4; the next start uploads them")
    func unreachableStore() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let inputs = try rig.inputs(3, size: 10_000)
        var environment = rig.environment()
        environment["CLIP_STORE"] = "/dev/null/store"
        let args = ["--camera-id", "cam3", "--spool", rig.root + "/spool", "--retry-initial", "0.1", "--retry-max", "0.2"]
        let offline = try ExampleProgram.run("camera-encrypt-upload", args + ["--files"] + inputs.map(\.path) + ["--give-up-after", "1"], environment: environment)
        #expect(offline.status == 4, "\(offline.stderr)")
        #expect(offline.stderr.contains("cannot create the clip directory") || offline.stderr.contains("upload of"), "\(offline.stderr)")
        #expect(offline.stderr.contains("3 clips left in the spool"), "\(offline.stderr)")
        let online = try ExampleProgram.run("camera-encrypt-upload", args + ["--upload-only"], environment: rig.environment())
        #expect(online.status == 0, "\(online.stderr)")
        #expect(try listedClips(rig).count == 3)
    }

    @Test("a full spool pauses recording (no clip dropped, the quota held); SIGTERM stops cleanly and a restart uploads the rest")
    func spoolQuota() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let inputs = try rig.inputs(4, size: 40_000)
        var environment = rig.environment()
        environment["CLIP_STORE"] = "/dev/null/store"
        let args = ["--camera-id", "cam4", "--spool", rig.root + "/spool", "--spool-quota", "50k", "--retry-initial", "0.1", "--retry-max", "0.2", "--give-up-after", "1"]
        let camera = try BackgroundProgram("camera-encrypt-upload", args + ["--files"] + inputs.map(\.path), environment: environment)
        #expect(camera.wait { camera.stderr.contains("spool full (") }, "\(camera.stderr)")
        #expect(try ClipFiles.names(rig.root + "/spool").filter { $0.hasSuffix(".sealed") }.count == 1)
        let status = camera.stop(SIGTERM)
        #expect(status == 4, "\(camera.stderr)")
        #expect(camera.stderr.contains("stop requested") && camera.stderr.contains("1 clips left in the spool"), "\(camera.stderr)")
        let online = try ExampleProgram.run("camera-encrypt-upload", args + ["--upload-only"], environment: rig.environment())
        #expect(online.status == 0, "\(online.stderr)")
        #expect(try listedClips(rig).count == 1)
    }

    @Test("three identities: the camera's keys are read by the viewer, shredded by the admin, and the viewer may not shred")
    func identities() throws {
        let root = try makeTemporaryDirectory("swift-kmip-camera-identities")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = KMIPServerDataDirectory(path: root + "/server")
        try data.prepare()
        for identity in ["camera", "viewer", "admin"] { try data.issueClient(identity) }
        try KMIPAccessPolicy(grants: [
            .init(identity: "viewer", objectGroup: "lobby", operations: [.get, .getAttributes, .locate]),
            .init(identity: "admin", objectGroup: "lobby", operations: [.getAttributes, .locate, .revoke, .destroy]),
        ]).encoded().write(to: URL(fileURLWithPath: data.policyPath))
        let server = try ServerProcess(arguments: ["--data", data.path])
        defer { server.kill(SIGTERM) }
        func environment(_ identity: String) -> [String: String] {
            [
                "KMIP_SERVER": "127.0.0.1:\(server.port)", "KMIP_CA": data.caCertificatePath, "KMIP_CERT": data.clientCertificatePath(identity),
                "KMIP_KEY": data.clientKeyPath(identity), "CLIP_STORE": "file://\(root)/store",
            ]
        }
        let input = (0..<50_000).map { _ in UInt8.random(in: 0...255) }
        try Data(input).write(to: URL(fileURLWithPath: root + "/clip.bin"))
        let camera = try ExampleProgram.run(
            "camera-encrypt-upload", ["--camera-id", "lobby1", "--object-group", "lobby", "--spool", root + "/spool", "--files", root + "/clip.bin", "--give-up-after", "20"],
            environment: environment("camera"))
        #expect(camera.status == 0, "\(camera.stderr)")
        let name = try #require(try ClipFiles.names(root + "/store").first)

        // The viewer reads the camera's key through the policy; the admin may not Get it.
        let viewer = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", root + "/cache-v", "-o", root + "/out", name], environment: environment("viewer"))
        #expect(viewer.status == 0, "\(viewer.stderr)")
        let admin = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", root + "/cache-a", "-o", root + "/out-a", name], environment: environment("admin"))
        #expect(admin.status == 1 && admin.stderr.contains("ermission"), "\(admin.stderr)")

        // The viewer may not shred; the admin may.
        let later = Date(timeIntervalSinceNow: 5).formatted(.iso8601)
        let refused = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", later, "--cache", root + "/cache-v"], environment: environment("viewer"))
        #expect(refused.status == 1 && refused.stderr.contains("cannot shred") && refused.stderr.contains("its clips are kept"), "\(refused.stderr)")
        #expect(try ClipFiles.names(root + "/store") == [name])
        let shred = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", later, "--cache", root + "/cache-a"], environment: environment("admin"))
        #expect(shred.status == 0, "\(shred.stderr)")
        #expect(try ClipFiles.names(root + "/store").isEmpty)
        let audit = try KMIPAuditLog.records(at: data.auditLogPath)
        #expect(audit.contains { $0.identity == "camera" && $0.operation == "Create" && $0.result == "Success" })
        #expect(audit.contains { $0.identity == "viewer" && $0.operation == "Get" && $0.result == "Success" })
        #expect(audit.contains { $0.identity == "admin" && $0.operation == "Destroy" && $0.result == "Success" })
    }

    @Test("the flow through the KMIP HTTPS profile with XML bodies, as the original system talked to its key manager")
    func httpsXML() throws {
        let root = try makeTemporaryDirectory("swift-kmip-camera-https")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = KMIPServerDataDirectory(path: root + "/server")
        let server = try ServerProcess(arguments: ["--data", data.path, "--https-port", "0"])
        defer { server.kill(SIGTERM) }
        let httpsPort = try #require(server.httpsPort)
        let environment = [
            "KMIP_HTTPS": "https://127.0.0.1:\(httpsPort)/kmip", "KMIP_ENCODING": "xml", "KMIP_CA": data.caCertificatePath,
            "KMIP_CERT": data.clientCertificatePath("client"), "KMIP_KEY": data.clientKeyPath("client"), "CLIP_STORE": "file://\(root)/store",
        ]
        try Self.sealUploadAndOpen(camera: "xmlcam", size: 70_000, in: root, environment: environment)
        // The server saw the operations over HTTPS: they are in its audit log.
        let audit = try KMIPAuditLog.records(at: data.auditLogPath)
        #expect(audit.filter { $0.operation == "Create" || $0.operation == "Activate" || $0.operation == "Get" }.count >= 4)
    }

    @Test("the flow against PyKMIP as the key manager (one identity, no custom attributes): one clip sealed, uploaded, fetched and opened",
        .enabled(if: PyKMIP.isRunning, "needs a PyKMIP server (scripts/pykmip.sh; scripts/test.sh starts one)"))
    func againstPyKMIP() throws {
        let root = try makeTemporaryDirectory("swift-kmip-camera-pykmip")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let environment = [
            "KMIP_SERVER": "127.0.0.1:\(PyKMIP.environment["PYKMIP_PORT"] ?? "")", "KMIP_CA": PyKMIP.path("PYKMIP_CA"),
            "KMIP_CERT": PyKMIP.path("PYKMIP_CLIENT_CERT"), "KMIP_KEY": PyKMIP.path("PYKMIP_CLIENT_KEY"), "CLIP_STORE": "file://\(root)/store",
        ]
        try Self.sealUploadAndOpen(camera: "pycam", size: 150_000, in: root, environment: environment)
        let listed = try ExampleProgram.run("fetch-decrypt", ["list", "--json", "--cache", root + "/cache"], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdoutText.contains("\"keyState\":\"Active\""), "\(listed.stdoutText)")
    }

    /// One clip of `size` random bytes through the camera to `root/store`, then fetched and
    /// opened into `root/out`; expects every byte back.
    static func sealUploadAndOpen(camera: String, size: Int, in root: String, environment: [String: String]) throws {
        let input = (0..<size).map { _ in UInt8.random(in: 0...255) }
        try Data(input).write(to: URL(fileURLWithPath: root + "/clip.bin"))
        let sealed = try ExampleProgram.run(
            "camera-encrypt-upload", ["--camera-id", camera, "--spool", root + "/spool", "--files", root + "/clip.bin", "--give-up-after", "20"],
            environment: environment)
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let name = try #require(try ClipFiles.names(root + "/store").first)
        let got = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", root + "/cache", "-o", root + "/out", name], environment: environment)
        #expect(got.status == 0, "\(got.stderr)")
        #expect(FileManager.default.contents(atPath: root + "/out/" + name.replacingOccurrences(of: ".sealed", with: ".bin")).map(Array.init) == input)
    }

    @Test("sealed-file seals a pipe with a local key and inspect prints the header; a wrong key file is refused")
    func sealedFileTool() throws {
        let root = try makeTemporaryDirectory("swift-kmip-sealed-file")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try String(repeating: "ab", count: 32).write(toFile: root + "/key", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try ExampleProgram.url("sealed-file")
        process.arguments = ["seal", "--key-file", root + "/key", "-o", root + "/out.sealed", "--report"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(repeating: 7, count: 200_000))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(report)")
        #expect(report.contains("sealed 200000 bytes") && report.contains("peak resident memory"), "\(report)")
        let opened = try SealedFileReaderCheck.open(root + "/out.sealed", key: [UInt8](repeating: 0xab, count: 32))
        #expect(opened == [UInt8](repeating: 7, count: 200_000))
        let inspect = try ExampleProgram.run("sealed-file", ["inspect", root + "/out.sealed"])
        #expect(inspect.status == 0)
        #expect(inspect.stdoutText.contains("key:          key") && inspect.stdoutText.contains("chunk size:   65536 bytes"), "\(inspect.stdoutText)")
        try "not hex".write(toFile: root + "/bad", atomically: true, encoding: .utf8)
        let bad = try ExampleProgram.run("sealed-file", ["seal", "--key-file", root + "/bad"])
        #expect(bad.status != 0 && bad.stderr.contains("must hold 32 or 64 hex digits"), "\(bad.stderr)")
    }

    @Test("bad options are refused with a clear message and exit 64 (EX_USAGE)")
    func usage() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let quota = try ExampleProgram.run("camera-encrypt-upload", ["--spool-quota", "lots"], environment: rig.environment())
        #expect(quota.status == 64)
        #expect(quota.stderr.contains("--spool-quota must be a size"), "\(quota.stderr)")
        let date = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", "yesterday"], environment: rig.environment())
        #expect(date.stderr.contains("--before must be a date"), "\(date.stderr)")
        let noServer = try ExampleProgram.run("fetch-decrypt", ["list"], environment: ["KMIP_SERVER": "", "CLIP_STORE": rig.root + "/empty"])
        #expect(noServer.status != 0)
    }
}

/// Opens a sealed file with a known key, for checks.
enum SealedFileReaderCheck {
    static func open(_ path: String, key: [UInt8]) throws -> [UInt8] {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        var source = FileHandleSource(handle)
        var plaintext: [UInt8] = []
        try SealedFileReader.open(&source, key: key) { plaintext += $0 }
        return plaintext
    }
}

/// File names in a directory (empty when it does not exist).
enum ClipFiles {
    static func names(_ directory: String) throws -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}
