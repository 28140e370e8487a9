// Username and Password credentials: the users file (hashes only, 0600), the engine's check over
// real TLS connections, and `kmip-server add-user`.

import Foundation
import KMIP
import KMIPServer
import Testing

@Suite("Reference server: username and password credentials", .serialized)
struct CredentialTests {
    @Test("the users file keeps salted hashes only, 0600; right, wrong and unknown passwords; a file others may read is refused")
    func usersFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/users.json"
        try KMIPUserFile.addUser("camera", password: "correct horse battery", path: path)
        try KMIPUserFile.addUser("viewer", password: "correct horse battery", path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("correct horse"), "the password is in the file")

        let users = try KMIPUserFile(path: path)
        #expect(users.usernames == ["camera", "viewer"])
        #expect(users.verify(username: "camera", password: "correct horse battery"))
        #expect(users.verify(username: "camera", password: "correct horse battery"), "remembered")
        #expect(!users.verify(username: "camera", password: "correct horse batterY"))
        #expect(!users.verify(username: "nobody", password: "correct horse battery"))
        // The same password gives different hashes (salts).
        let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: [String: [String: Any]]]
        #expect(entries?["users"]?["camera"]?["hash"] as? String != entries?["users"]?["viewer"]?["hash"] as? String)

        // A new password replaces the old one.
        try KMIPUserFile.addUser("camera", password: "new password", path: path)
        let changed = try KMIPUserFile(path: path)
        #expect(changed.verify(username: "camera", password: "new password"))
        #expect(!changed.verify(username: "camera", password: "correct horse battery"))

        #expect(throws: KMIPServerSetupError.self) { try KMIPUserFile.addUser("", password: "x", path: path) }
        #expect(throws: KMIPServerSetupError.self) { try KMIPUserFile.addUser("camera", password: "", path: path) }
        chmod(path, 0o644)
        #expect(throws: KMIPServerSetupError.self) { try KMIPUserFile(path: path) }
        #expect(throws: KMIPServerSetupError.self) { try KMIPUserFile(path: directory + "/missing.json") }
    }

    @Test("with credentials required, a request without them or with a wrong password is answered Authentication Not Successful", arguments: [KMIPVersion.v1_2, .v2_1])
    func required(_ version: KMIPVersion) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try KMIPUserFile.addUser("camera-operator", password: "s3cret-pass", path: directory + "/users.json")
        let auditLog = try KMIPAuditLog(path: directory + "/audit.log")
        let engine = KMIPServerEngine(store: InMemoryObjectStore(), auditLog: auditLog, credentials: try KMIPUserFile(path: directory + "/users.json"))
        var configuration = KMIPTLSListener.Configuration(
            certificateChainFile: TestCertificates.path("server.pem"), privateKeyFile: TestCertificates.path("server.key"),
            clientCAFile: TestCertificates.path("ca.pem"))
        configuration.port = 0
        let listener = try await KMIPTLSListener.start(engine: engine, configuration: configuration)

        func client(_ credential: Credential?) throws -> KMIPClient {
            let tls = KMIPTLSConfiguration(
                identity: .pemFiles(certificateChain: TestCertificates.path("camera.pem"), privateKey: TestCertificates.path("camera.key")),
                trustRoots: .pemFile(TestCertificates.path("ca.pem")))
            var configuration = KMIPClientConfiguration(endpoints: [.init(host: "127.0.0.1", port: listener.port)], tls: tls)
            configuration.versionPolicy = .fixed(version)
            configuration.credential = credential
            configuration.requestTimeout = .seconds(10)
            return try KMIPClient(configuration: configuration)
        }
        let good = try client(.username("camera-operator", password: "s3cret-pass"))
        let id = try await good.createSymmetricKey(algorithm: .aes, length: 128)
        #expect(try await good.get(id).object.keyBlock?.keyBytes?.count == 16)

        for credential in [nil, Credential.username("camera-operator", password: "wrong"), .username("intruder", password: "s3cret-pass"), .username("camera-operator", password: nil)] {
            let other = try client(credential)
            let refused = await #expect(throws: KMIPOperationError.self) { try await other.get(id) }
            #expect(refused?.resultReason == .authenticationNotSuccessful, "\(String(describing: credential?.credentialType))")
            await other.shutdown()
        }
        await good.shutdown()
        await listener.shutdown()
        auditLog.close()
        let records = try KMIPAuditLog.records(at: directory + "/audit.log")
        #expect(records.filter { $0.result.contains("AuthenticationNotSuccessful") || $0.result.contains("Authentication") }.count == 4, "\(records)")
        let log = try String(contentsOfFile: directory + "/audit.log", encoding: .utf8)
        #expect(!log.contains("s3cret") && !log.contains("wrong"))
    }

    @Test("kmip-server --require-credentials: `kmip query --username` with KMIP_PASSWORD is answered; without, or with a wrong password, refused (exit status 1)")
    func tools() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = KMIPServerDataDirectory(path: directory)
        try KMIPUserFile.addUser("operator", password: "pass-phrase", path: data.usersPath)
        let server = try ServerProcess(arguments: ["--data", directory, "--in-memory", "--require-credentials"])
        defer { server.kill(SIGTERM) }
        let connection = ["--server", "127.0.0.1:\(server.port)", "--ca", data.caCertificatePath, "--cert", data.clientCertificatePath(), "--key", data.clientKeyPath()]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KMIP_") }
        environment["HOME"] = directory
        let refused = try ToolRunner.run(["query"] + connection, environment: environment)
        #expect(refused.status == 1 && refused.stderr.contains("Authentication"), "\(refused.stderr)")
        environment["KMIP_PASSWORD"] = "wrong"
        let wrong = try ToolRunner.run(["query", "--username", "operator"] + connection, environment: environment)
        #expect(wrong.status == 1 && wrong.stderr.contains("Authentication"), "\(wrong.stderr)")
        environment["KMIP_PASSWORD"] = "pass-phrase"
        let answered = try ToolRunner.run(["query", "--username", "operator"] + connection, environment: environment)
        #expect(answered.status == 0, "\(answered.stderr)")
        #expect(answered.stdoutText.contains("Re-key"), "\(answered.stdoutText)")
        environment["KMIP_PASSWORD"] = nil
        let noPassword = try ToolRunner.run(["query", "--username", "operator"] + connection, environment: environment)
        #expect(noPassword.status == 2 && noPassword.stderr.contains("KMIP_PASSWORD"), "\(noPassword.stderr)")
    }

    @Test("kmip-server add-user reads the password from KMIP_SERVER_PASSWORD or standard input")
    func addUserTool() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let executable = try #require(ToolRunner.executable).deletingLastPathComponent().appendingPathComponent("kmip-server")
        func run(_ name: String, environment: [String: String] = [:], input: String?) throws -> Int32 {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["add-user", name, "--data", directory]
            process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "KMIP_SERVER_PASSWORD" }.merging(environment) { $1 }
            let stdin = Pipe()
            process.standardInput = stdin
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try run("alice", environment: ["KMIP_SERVER_PASSWORD": "from-env"], input: nil) == 0)
        #expect(try run("bob", input: "from-stdin\n") == 0)
        #expect(try run("carol", input: "") == 1, "an empty password is refused")
        let users = try KMIPUserFile(path: KMIPServerDataDirectory(path: directory).usersPath)
        #expect(users.usernames == ["alice", "bob"])
        #expect(users.verify(username: "alice", password: "from-env") && users.verify(username: "bob", password: "from-stdin"))
    }
}
