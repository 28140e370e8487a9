// PyKMIP's own client, an independent KMIP implementation, against the reference server
// (`kmip-server`, certificates from scripts/pykmip.sh). Runs where PyKMIP's venv is (CI).

import Foundation
import Testing

@Suite("Live: PyKMIP's client against kmip-server", .enabled(if: PyKMIP.environment["PYKMIP_PYTHON"] != nil, "needs PyKMIP's venv (scripts/pykmip.sh; scripts/test.sh starts one)"), .serialized)
struct PyKMIPClientInteropTests {
    @Test("create, get, get attributes, attribute list, locate, activate, revoke, destroy, register, create key pair, query", arguments: ["1.2", "1.4", "2.0"])
    func interop(_ version: String) throws {
        let certs = PyKMIP.certs
        let server = Process()
        server.executableURL = try #require(ToolRunner.executable).deletingLastPathComponent().appendingPathComponent("kmip-server")
        server.arguments = ["--in-memory", "--port", "0", "--cert", "\(certs)/server.pem", "--key", "\(certs)/server.key", "--ca", "\(certs)/ca.pem"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate() }
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let port = try #require(text.split(separator: "\n").first?.split(separator: ":").last.map(String.init))

        let client = Process()
        client.executableURL = URL(fileURLWithPath: PyKMIP.path("PYKMIP_PYTHON"))
        client.arguments = [Repository.url("Tests/Conformance/Live/pykmip_client_interop.py").path, "--port", port, "--certs", certs, "--version", version]
        let clientOutput = Pipe()
        client.standardOutput = clientOutput
        client.standardError = clientOutput
        try client.run()
        let report = String(decoding: clientOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "\(report)")
        #expect(report.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 12, "\(report)")
    }
}
