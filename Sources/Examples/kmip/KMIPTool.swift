// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation

@main
struct KMIPTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip",
        abstract: "Work with KMIP messages and servers.",
        discussion: """
            Talk to a KMIP server over mutual TLS (create, get, locate, activate, revoke, destroy, ...: \
            connection options after the subcommand, or KMIP_SERVER, KMIP_CA, KMIP_CERT, KMIP_KEY, \
            KMIP_VERSION, or a config file). Exit status 0 on success, 1 when the server reports a \
            failure, 2 for usage errors, 3 for connection or TLS failures. Messages convert between \
            the binary TTLV encoding (raw or as hex), XML, JSON and a readable dump; `bench` measures \
            the codecs on a message of your choice.
            """,
        subcommands: [
            Create.self, CreateKeyPair.self, Register.self, Get.self, AttributesCommand.self, Locate.self, Activate.self,
            Revoke.self, Destroy.self, Rekey.self, Encrypt.self, Decrypt.self, Query.self, Versions.self,
            Convert.self, Vectors.self, Bench.self,
        ]
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
