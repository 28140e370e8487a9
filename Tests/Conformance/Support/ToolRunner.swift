// Runs the built `kmip` executable, as a user or a script would.

import Foundation

struct ToolResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

enum ToolRunner {
    /// The `kmip` executable built beside the test bundle.
    static let executable: URL? = {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first { candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
        if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in candidates {
            var url = directory
            for _ in 0..<4 {
                let tool = url.appendingPathComponent("kmip")
                if FileManager.default.isExecutableFile(atPath: tool.path) { return tool }
                url = url.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// Runs `kmip arguments…` with `input` on standard input.
    static func run(_ arguments: [String], input: [UInt8] = [], environment: [String: String]? = nil) throws -> ToolResult {
        guard let executable else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "kmip executable not found"]) }
        return try run(executable, arguments, input: input, environment: environment)
    }

    /// Runs `executable arguments…` with `input` on standard input, collecting both outputs.
    static func run(_ executable: URL, _ arguments: [String], input: [UInt8] = [], environment: [String: String]? = nil) throws -> ToolResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes concurrently with the write so that neither side blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data(), err = Data()
        DispatchQueue.global().async(group: group) { out = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return ToolResult(status: process.terminationStatus, stdout: [UInt8](out), stderr: String(decoding: err, as: UTF8.self))
    }
}
