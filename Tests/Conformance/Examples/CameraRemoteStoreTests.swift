// The camera and viewer programs against real remote stores: pyftpdlib (plain FTP and explicit
// FTPS) and OpenSSH's sshd (SFTP), which scripts/test.sh starts. The tests that stop an FTP
// server start their own (scripts/ftp-server.sh in a directory of their own, on the shared venv),
// so that the other suites' server is never interrupted.

import Foundation
import KMIPServer
import Testing

/// An FTP server of one test's own, started and stopped with scripts/ftp-server.sh.
struct OwnFTPServer {
    let directory: String
    let settings: [String: String]
    /// Settings for the script beyond the venv (`FTP_WITHOUT_MLSD`).
    let options: [String: String]

    /// A server of this test's own; `withoutMLSD` makes it answer MLSD and MLST with 500.
    init(withoutMLSD: Bool = false) throws {
        let shared = try #require(ProcessInfo.processInfo.environment["FTP_DIR"], "FTP_DIR is not set: run scripts/test.sh, which starts the FTP and SFTP test servers")
        directory = try makeTemporaryDirectory("swift-kmip-own-ftp")
        options = withoutMLSD ? ["FTP_WITHOUT_MLSD": "1"] : [:]
        settings = try Self.script(["start", directory], venv: shared + "/venv", options: options)
    }

    @discardableResult
    static func script(_ arguments: [String], venv: String, options: [String: String] = [:]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Repository.url("scripts/ftp-server.sh").path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(options.merging(["FTP_VENV": venv]) { $1 }) { $1 }
        // Into a file, not a pipe: the server the script leaves running would hold a pipe open.
        let outputPath = NSTemporaryDirectory() + "/ftp-server-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil, attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try #require(FileHandle(forWritingAtPath: outputPath))
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "ftp-server.sh \(arguments[0]) failed"]) }
        var settings: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let pair = line.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { settings[String(pair[0])] = String(pair[1]) }
        }
        return settings
    }

    var venv: String { (ProcessInfo.processInfo.environment["FTP_DIR"] ?? "") + "/venv" }
    func stop() throws { try Self.script(["stop", directory], venv: venv) }
    func restart() throws { try Self.script(["start", directory], venv: venv, options: options) }
    func finish() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The environment for the programs: this server as the store, over `scheme` (ftp or ftps).
    func environment(_ rig: CameraRig, scheme: String) -> [String: String] {
        var environment = rig.environment()
        environment["CLIP_STORE"] = settings[scheme == "ftps" ? "FTPS_URL" : "FTP_URL"]
        environment["CLIP_STORE_CREDENTIALS"] = settings["FTP_CREDENTIALS"]
        environment["CLIP_STORE_CA"] = settings["FTP_CA"]
        return environment
    }
}

@Suite("Camera and viewer programs on FTP, FTPS and SFTP stores", .serialized)
struct CameraRemoteStoreTests {
    @Test("FTPS: the FTP server stopped during a run leaves every clip in the spool; once it is back they all arrive, and the viewer lists and opens them")
    func ftpsServerStoppedDuringRun() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let ftp = try OwnFTPServer()
        defer { ftp.finish() }
        let input = try rig.inputs(1, size: 20_000)[0]
        let script = rig.root + "/capture.sh"
        try "#!/bin/sh\ncat \(input.path)\nsleep 1\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let camera = try BackgroundProgram(
            "camera-encrypt-upload",
            ["--camera-id", "gate", "--spool", rig.root + "/spool", "--capture", script, "--clips", "8", "--retry-initial", "0.2", "--retry-max", "0.5"],
            environment: ftp.environment(rig, scheme: "ftps"))
        #expect(camera.wait { camera.stderr.contains("uploaded gate-") }, "\(camera.stderr)")
        try ftp.stop()
        // Recording goes on; uploads fail and the clips wait in the spool. (The server may take a
        // few seconds to stop; the camera records a clip a second for eight seconds.)
        #expect(camera.wait { camera.stderr.components(separatedBy: "spooled (").count - 1 == 8 && camera.stderr.contains("upload of gate-") }, "\(camera.stderr)")
        let waiting = try ClipFiles.names(rig.root + "/spool").filter { $0.hasSuffix(".sealed") }
        #expect(!waiting.isEmpty)
        try ftp.restart()
        #expect(camera.wait { camera.process.isRunning == false }, "\(camera.stderr)")
        #expect(camera.process.terminationStatus == 0, "\(camera.stderr)")
        #expect(camera.stderr.contains("done: 8 clips uploaded") && camera.stderr.contains("0 clips left in the spool"), "\(camera.stderr)")
        #expect(try ClipFiles.names(rig.root + "/spool") == ["camera-state.json"])

        let environment = ftp.environment(rig, scheme: "ftps")
        let listed = try ExampleProgram.run("fetch-decrypt", ["list", "--json", "--cache", rig.root + "/cache"], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        let names = listed.stdoutText.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
        }
        #expect(names.count == 8)
        #expect(try ClipFiles.names(rig.root + "/cache").isEmpty, "list read the headers only, downloading no clip")
        let got = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", rig.root + "/cache", "-o", rig.root + "/out"] + names, environment: environment)
        #expect(got.status == 0, "\(got.stderr)")
        for name in try ClipFiles.names(rig.root + "/out") {
            #expect(FileManager.default.contents(atPath: rig.root + "/out/" + name).map(Array.init) == input.bytes)
        }
        let root = try #require(ftp.settings["FTP_ROOT"])
        #expect(try ClipFiles.names(root).filter { $0.hasPrefix(".") }.isEmpty, "no unfinished upload left on the server")
        #expect(files(under: root, containing: Array(input.bytes[100..<164])).isEmpty, "no plaintext on the server")
    }

    @Test("FTP: the uploader killed with SIGKILL mid-upload loses no clip, leaves no plaintext and no half-uploaded clip under its final name; a restart completes it")
    func killedMidUpload() throws {
        let rig = try CameraRig()
        defer { rig.finish() }
        let ftp = try OwnFTPServer()
        defer { ftp.finish() }
        let root = try #require(ftp.settings["FTP_ROOT"])
        let input = try rig.inputs(1, size: 1_500_000)[0]
        let environment = ftp.environment(rig, scheme: "ftp")
        // A slow uplink (300 kB/s) makes the upload last about five seconds.
        let camera = try BackgroundProgram(
            "camera-encrypt-upload", ["--camera-id", "yard", "--spool", rig.root + "/spool", "--files", input.path, "--upload-limit", "300k"],
            environment: environment)
        // Killed once a tenth of the clip is on the server under its temporary name.
        #expect(camera.wait {
            let names = (try? ClipFiles.names(root)) ?? []
            return names.contains { name in
                name.hasPrefix(".yard-") && name.hasSuffix(".uploading")
                    && ((try? FileManager.default.attributesOfItem(atPath: root + "/" + name))?[.size] as? Int ?? 0) >= 150_000
            }
        }, "\(camera.stderr)")
        _ = camera.stop(SIGKILL)
        let onServer = try ClipFiles.names(root)
        #expect(!onServer.contains { $0.hasPrefix("yard-") }, "no clip under its final name: \(onServer)")
        let spooled = try ClipFiles.names(rig.root + "/spool").filter { $0.hasSuffix(".sealed") }
        #expect(spooled.count == 1, "the clip is still in the spool")
        let needle = Array(input.bytes[700_000..<700_064])
        #expect(files(under: rig.root + "/spool", containing: needle).isEmpty)
        #expect(files(under: root, containing: needle).isEmpty)

        let resumed = try ExampleProgram.run(
            "camera-encrypt-upload", ["--camera-id", "yard", "--spool", rig.root + "/spool", "--upload-only", "--give-up-after", "30"], environment: environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try ClipFiles.names(root)
        #expect(after == spooled, "the clip under its final name, and nothing half-uploaded: \(after)")
        let got = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", rig.root + "/cache", "-o", rig.root + "/out", spooled[0]], environment: environment)
        #expect(got.status == 0, "\(got.stderr)")
        #expect(FileManager.default.contents(atPath: rig.root + "/out/" + spooled[0].replacingOccurrences(of: ".sealed", with: ".bin")).map(Array.init) == input.bytes)
    }

    @Test("SFTP with the host key pinned: camera uploads, viewer lists, opens and shreds; a wrong host key is refused and the clips stay in the spool")
    func sftp() throws {
        let settings = ProcessInfo.processInfo.environment
        let url = try #require(settings["SFTP_URL"], "SFTP_URL is not set: run scripts/test.sh, which starts the FTP and SFTP test servers")
        let rig = try CameraRig()
        defer { rig.finish() }
        let folder = "camera-\(UInt32.random(in: 0...UInt32.max))"
        var environment = rig.environment()
        environment["CLIP_STORE"] = url + folder + "/"
        environment["CLIP_STORE_USER"] = settings["SFTP_USER"]
        environment["CLIP_STORE_KEY"] = settings["SFTP_KEY"]
        environment["CLIP_STORE_HOST_KEY"] = settings["SFTP_HOST_KEY_SHA256"]
        let inputs = try rig.inputs(2, size: 90_000)

        var wrong = environment
        wrong["CLIP_STORE_HOST_KEY"] = "SHA256:" + String(repeating: "A", count: 43)
        let refused = try ExampleProgram.run(
            "camera-encrypt-upload",
            ["--camera-id", "pier", "--spool", rig.root + "/spool", "--files"] + inputs.map(\.path) + ["--give-up-after", "2", "--retry-initial", "0.2", "--retry-max", "0.5"],
            environment: wrong)
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.lowercased().contains("host key") || refused.stderr.contains("fingerprint"), "\(refused.stderr)")
        #expect(try ClipFiles.names(rig.root + "/spool").filter { $0.hasSuffix(".sealed") }.count == 2)

        let uploaded = try ExampleProgram.run(
            "camera-encrypt-upload", ["--camera-id", "pier", "--spool", rig.root + "/spool", "--upload-only", "--give-up-after", "30"], environment: environment)
        #expect(uploaded.status == 0, "\(uploaded.stderr)")
        let root = try #require(settings["SFTP_ROOT"]) + "/" + folder
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = try ClipFiles.names(root)
        #expect(names.count == 2 && names.allSatisfy { $0.hasPrefix("pier-") && $0.hasSuffix(".sealed") }, "\(names)")
        let got = try ExampleProgram.run("fetch-decrypt", ["get", "--cache", rig.root + "/cache", "-o", rig.root + "/out"] + names, environment: environment)
        #expect(got.status == 0, "\(got.stderr)")
        for (index, name) in names.enumerated() {
            #expect(FileManager.default.contents(atPath: rig.root + "/out/" + name.replacingOccurrences(of: ".sealed", with: ".bin")).map(Array.init) == inputs[index].bytes)
        }
        let later = Date(timeIntervalSinceNow: 5).formatted(.iso8601)
        let shred = try ExampleProgram.run("fetch-decrypt", ["shred", "--before", later, "--cache", rig.root + "/cache"], environment: environment)
        #expect(shred.status == 0, "\(shred.stderr)")
        #expect(try ClipFiles.names(root).isEmpty)
    }
}

@Suite("kmip-demo with an FTP store")
struct DemoRemoteStoreTests {
    @Test("kmip-demo --store ftps://... uploads the clips to the FTP server, and its checks pass")
    func demoOverFTPS() throws {
        let ftp = try OwnFTPServer()
        defer { ftp.finish() }
        let directory = try makeTemporaryDirectory("swift-kmip-demo-ftp")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = try #require(ftp.settings["FTPS_URL"]) + "demo/"
        let result = try ExampleProgram.run(
            "kmip-demo", ["--data", directory + "/demo", "--sample", "--store", url],
            environment: ["CLIP_STORE_CREDENTIALS": ftp.settings["FTP_CREDENTIALS"] ?? "", "CLIP_STORE_CA": ftp.settings["FTP_CA"] ?? ""])
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderr)")
        #expect(result.stdoutText.contains("kmip-demo: every check passed"))
        #expect(result.stdoutText.contains("uploaded to ftps://127.0.0.1:"))
        let root = try #require(ftp.settings["FTP_ROOT"]) + "/demo"
        #expect(try ClipFiles.names(root).filter { $0.hasSuffix(".sealed") }.count == 4)
        #expect(!FileManager.default.fileExists(atPath: directory + "/demo/clips"))
    }
}
