// swift-kmip: clip-viewer-harness
//
// Starts the clip viewer on freshly sealed sample clips with one user, for the screenshot script
// (scripts/viewer-screenshots.sh). Keys live in this process's memory only: no KMIP server.
// A test harness, not a tool: the real viewer is `fetch-decrypt serve`.

import ArgumentParser
import ClipViewer
import Crypto
import Foundation
import SealedFile

@main
struct ClipViewerHarness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip-viewer-harness",
        abstract: "Serve sample clips sealed with in-memory keys through the clip viewer (for screenshots).")

    @Option(help: "The video to seal as the sample clips.")
    var sample: String

    @Option(help: "A directory for the sealed clips and the viewer's state (made when missing).")
    var directory: String

    @Option(help: "The user to create.")
    var user = "viewer"

    @Option(help: "The file holding that user's password (first line).")
    var passwordFile: String

    @Option(help: "The port to listen on (0: any free port).")
    var port = 0

    mutating func run() async throws {
        let video = try [UInt8](Data(contentsOf: URL(fileURLWithPath: sample)))
        let clips = directory + "/clips"
        try FileManager.default.createDirectory(atPath: clips, withIntermediateDirectories: true)
        guard let password = try String(contentsOfFile: passwordFile, encoding: .utf8).split(separator: "\n").first.map(String.init) else {
            throw ValidationError("the password file \(passwordFile) is empty")
        }

        // Three clips, one of them with a key the "key manager" has destroyed.
        var keys: [String: SymmetricKey] = [:]
        var states: [String: String] = [:]
        let start = Date().addingTimeInterval(-3 * 600)
        for index in 0..<3 {
            let keyIdentifier = "\(UUID().uuidString.lowercased())"
            let key = SymmetricKey(size: .bits256)
            keys[keyIdentifier] = key
            states[keyIdentifier] = index == 0 ? "Destroyed" : "Active"
            let name = String(format: "front-door-%04d.mp4.sealed", index + 1)
            let captured = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(index) * 600))
            let header = SealedFileHeader(
                serverIdentity: "127.0.0.1:5696", keyIdentifier: keyIdentifier, chunkSize: 4096,
                metadata: ["captured": captured, "source": "sample.mp4", "contentType": "video/mp4"])
            var sealed: [UInt8] = []
            let writer = try SealedFileWriter(header: header, key: key.withUnsafeBytes { Array($0) }) { sealed += $0 }
            try writer.write(video)
            try writer.finish()
            try Data(sealed).write(to: URL(fileURLWithPath: clips + "/" + name))
        }
        let destroyed = Set(states.filter { $0.value == "Destroyed" }.keys)
        let usableKeys = keys.filter { !destroyed.contains($0.key) }
        let keyStates = states

        let configuration = ViewerConfiguration(stateDirectory: directory + "/state", port: port)
        let users = ViewerUsers(path: configuration.usersFile, cost: 8)
        try users.add(user, password: password, replacing: true)
        let viewer = ClipViewerServer(
            configuration: configuration,
            clips: DirectoryViewerClipSource(directory: clips) { header in keyStates[header.keyIdentifier] ?? "unknown" },
            keys: { header in
                if destroyed.contains(header.keyIdentifier) { throw ViewerKeyError.destroyed(keyIdentifier: header.keyIdentifier) }
                guard let key = usableKeys[header.keyIdentifier] else {
                    throw ViewerKeyError.unavailable(keyIdentifier: header.keyIdentifier, reason: "no such key")
                }
                return key
            })
        try await viewer.run(handlingSignals: true) { endpoint in
            // Unbuffered: the screenshot script waits for this line.
            FileHandle.standardOutput.write(Data("listening \(endpoint.url)\n".utf8))
        }
    }
}
