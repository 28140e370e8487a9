// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation

@main
struct KMIPTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip",
        abstract: "Work with KMIP messages and servers.",
        discussion: """
            Messages convert between the binary TTLV encoding (raw or as hex), XML, JSON and a \
            readable dump; `bench` measures the codecs on a message of your choice.
            """,
        subcommands: [Convert.self, Vectors.self, Bench.self]
    )

    /// Runs the tool; usage errors exit with status 2, as scripts expect of every subcommand.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
