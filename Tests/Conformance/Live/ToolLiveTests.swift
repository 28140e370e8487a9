// The `kmip` command line tool against the live PyKMIP server, run as a process the way a script
// would: output formats, exit statuses, and where connection settings come from.

import Foundation
import Testing

@Suite("Live: the kmip tool against PyKMIP", .enabled(if: PyKMIP.isRunning, "needs a PyKMIP server (scripts/pykmip.sh; scripts/test.sh starts one)"), .serialized)
struct ToolLiveTests {
    static var connection: [String] {
        ["--server", "127.0.0.1:\(PyKMIP.environment["PYKMIP_PORT"] ?? "")", "--ca", PyKMIP.path("PYKMIP_CA"),
         "--cert", PyKMIP.path("PYKMIP_CLIENT_CERT"), "--key", PyKMIP.path("PYKMIP_CLIENT_KEY")]
    }

    /// The environment of the tool without KMIP_* settings and with no config file.
    static var cleanEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KMIP_") }
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        return environment
    }

    static func kmip(_ arguments: [String], environment: [String: String]? = nil) throws -> ToolResult {
        try ToolRunner.run(arguments, environment: environment ?? cleanEnvironment)
    }

    @Test("create prints the identifier last; get, locate, activate, revoke, destroy; exit statuses")
    func lifecycle() throws {
        let name = "tool-\(UInt32.random(in: 0...UInt32.max))"
        let created = try Self.kmip(["create", "--algorithm", "AES", "--length", "256", "--name", name] + Self.connection)
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(created.stdoutText.split(separator: "\n").last.map(String.init))

        let get = try Self.kmip(["get", id] + Self.connection)
        #expect(get.status == 0)
        #expect(get.stdoutText.contains("algorithm: AES") && get.stdoutText.contains("length: 256"))
        #expect(get.stdoutText.contains("<32 bytes; --reveal to print>"))
        let revealed = try Self.kmip(["get", id, "--reveal", "--json"] + Self.connection)
        let json = try JSONSerialization.jsonObject(with: Data(revealed.stdout)) as? [String: Any]
        #expect((json?["keyMaterial"] as? String)?.count == 64)

        let located = try Self.kmip(["locate", "--name", name] + Self.connection)
        #expect(located.stdoutText == "\(id)\n")

        #expect(try Self.kmip(["activate", id] + Self.connection).status == 0)
        let refused = try Self.kmip(["destroy", id] + Self.connection)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Permission Denied"), "\(refused.stderr)")
        #expect(try Self.kmip(["revoke", id] + Self.connection).status == 0)
        #expect(try Self.kmip(["destroy", id] + Self.connection).status == 0)
        let missing = try Self.kmip(["get", id] + Self.connection)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Item Not Found"))
    }

    @Test("versions negotiates 2.0; --kmip-version pins a version; query names the server")
    func versions() throws {
        let versions = try Self.kmip(["versions"] + Self.connection)
        #expect(versions.stdoutText.hasPrefix("negotiated: 2.0\n"), "\(versions.stdoutText)\(versions.stderr)")
        let pinned = try Self.kmip(["query", "--kmip-version", "1.2"] + Self.connection)
        #expect(pinned.stdoutText.contains("protocol version: 1.2"))
        #expect(pinned.stdoutText.contains("vendor: PyKMIP"))
    }

    @Test("usage errors exit 2, connection and TLS failures exit 3")
    func exitStatuses() throws {
        #expect(try Self.kmip(["get"] + Self.connection).status == 2)
        #expect(try Self.kmip(["create", "--algorithm", "NoSuchCipher"] + Self.connection).status == 2)
        #expect(try Self.kmip(["get", "1"]).status == 2)  // no server anywhere
        let refused = try Self.kmip(["get", "1", "--server", "127.0.0.1:1", "--ca", PyKMIP.path("PYKMIP_CA")])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("cannot connect"))
        let untrusted = try Self.kmip(["query", "--server", "127.0.0.1:\(PyKMIP.environment["PYKMIP_PORT"] ?? "")", "--ca", "\(PyKMIP.certs)/rogue-ca.pem",
                                       "--cert", PyKMIP.path("PYKMIP_CLIENT_CERT"), "--key", PyKMIP.path("PYKMIP_CLIENT_KEY")])
        #expect(untrusted.status == 3)
        #expect(untrusted.stderr.contains("TLS handshake"))
    }

    @Test("settings come from the command line, then the environment, then the config file")
    func settingsPrecedence() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmip-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config")
        try """
            # written by ToolLiveTests
            server = 127.0.0.1:\(PyKMIP.environment["PYKMIP_PORT"] ?? "")
            ca = \(PyKMIP.path("PYKMIP_CA"))
            cert = \(PyKMIP.path("PYKMIP_CLIENT_CERT"))
            key = \(PyKMIP.path("PYKMIP_CLIENT_KEY"))
            kmip-version = 1.4
            """.write(to: file, atomically: true, encoding: .utf8)
        var environment = Self.cleanEnvironment
        environment["KMIP_CONFIG"] = file.path
        // The file alone.
        #expect(try Self.kmip(["query"], environment: environment).stdoutText.contains("protocol version: 1.4"))
        // The environment beats the file.
        environment["KMIP_VERSION"] = "1.1"
        #expect(try Self.kmip(["query"], environment: environment).stdoutText.contains("protocol version: 1.1"))
        // The command line beats both.
        #expect(try Self.kmip(["query", "--kmip-version", "1.3"], environment: environment).stdoutText.contains("protocol version: 1.3"))
        // A broken server setting in the environment is used (and fails), not the file's.
        environment["KMIP_SERVER"] = "127.0.0.1:1"
        #expect(try Self.kmip(["query"], environment: environment).status == 3)
    }
}
