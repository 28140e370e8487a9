// `kmip-demo`, the README's main job, run as a user runs it: twice on one data directory, with
// the bundled sample clip and with a capture command streaming through a pipe.

import Foundation
import KMIPServer
import Testing

@Suite("kmip-demo", .serialized)
struct DemoTests {
    static func runDemo(_ arguments: [String]) throws -> ToolResult {
        let executable = try #require(ToolRunner.executable).deletingLastPathComponent().appendingPathComponent("kmip-demo")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus, stdout: Array(output), stderr: errors)
    }

    @Test("the whole flow passes its checks, twice on the same data directory, and leaves no plaintext on disk")
    func demoTwice() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = directory + "/demo"
        let first = try Self.runDemo(["--data", data, "--sample"])
        #expect(first.status == 0, "\(first.stdoutText)\n\(first.stderr)")
        #expect(first.stdoutText.contains("kmip-demo: every check passed"))
        let rows = first.stdoutText.split(separator: "\n").filter { $0.hasPrefix("clip-") && $0.contains(" B ") }
        #expect(rows.count == 4)
        #expect(rows.filter { $0.contains("SHA-256 ok") }.count == 4)
        #expect(rows.filter { $0.contains("unreadable (key destroyed)") }.count == 2)

        // Three identities did their parts, as the audit log records.
        let audit = try KMIPAuditLog.records(at: data + "/server/audit.log")
        #expect(audit.filter { $0.identity == "camera" && $0.operation == "Create" && $0.result == "Success" }.count == 2)
        #expect(audit.filter { $0.identity == "viewer" && $0.operation == "Get" && $0.result == "Success" }.count == 4)
        #expect(audit.filter { $0.identity == "admin" && $0.operation == "Destroy" && $0.result == "Success" }.count == 1)
        #expect(audit.contains { $0.identity == "viewer" && $0.operation == "Get" && $0.result.contains("Destroyed") })

        // A second run restarts the server on the same directory: the first run's objects and
        // clips are still there, and the new run passes too.
        let second = try Self.runDemo(["--data", data, "--sample", "--clips", "3", "--rotate-every", "1"])
        #expect(second.status == 0, "\(second.stdoutText)\n\(second.stderr)")
        let clips = try FileManager.default.contentsOfDirectory(atPath: data + "/clips").filter { $0.hasSuffix(".sealed") }
        #expect(clips.count == 7)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/spool").isEmpty)

        // The recorded clip is nowhere on disk in the clear.
        let sample = try #require(FileManager.default.contents(atPath: Repository.url("Sources/Examples/kmip-demo/Resources/sample.mp4").path))
        let window = Array(sample[sample.count / 2..<sample.count / 2 + 64])
        #expect(files(under: data, containing: window).isEmpty)
    }

    @Test("the flow through the HTTPS profile with XML bodies, as the original system talked to its key manager")
    func overHTTPSWithXML() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.runDemo(["--data", directory + "/demo", "--sample", "--https", "xml"])
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderr)")
        #expect(result.stdoutText.contains("(HTTPS profile, xml bodies)"))
        #expect(result.stdoutText.contains("kmip-demo: every check passed"))
    }

    @Test("a capture command streams through a pipe into the sealer, in several chunks")
    func captureCommand() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.runDemo(["--data", directory + "/demo", "--capture", "head -c 300000 /dev/urandom", "--clips", "2", "--rotate-every", "1"])
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderr)")
        #expect(result.stdoutText.contains("300000 bytes recorded"))
        #expect(result.stdoutText.contains("kmip-demo: every check passed"))
    }

    @Test("a capture command that writes a lot to stderr (a line per frame) does not block")
    func chattyCapture() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = directory + "/chatty-camera.sh"
        try "#!/bin/sh\nyes 'frame 1 written' | head -c 300000 >&2\nhead -c 5000 /dev/urandom\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let result = try Self.runDemo(["--data", directory + "/demo", "--capture", script, "--clips", "2", "--rotate-every", "1"])
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderr)")
        #expect(result.stdoutText.contains("5000 bytes recorded"))
    }

    @Test("a failing capture command fails the demo with the command's message and exit status 1")
    func failingCapture() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.runDemo(["--data", directory + "/demo", "--capture", "ls /no/such/dir", "--clips", "2", "--rotate-every", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the capture command failed"), "\(result.stderr)")
        let spool = try FileManager.default.contentsOfDirectory(atPath: directory + "/demo/spool")
        #expect(spool.isEmpty, "a failed capture left \(spool) in the spool")
    }
}
