// swift-kmip: the `kmip` command line tool.

import ArgumentParser

@main
struct KMIPTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip",
        abstract: "Work with KMIP messages and servers.",
        discussion: """
            Messages convert between the binary TTLV encoding (raw or as hex), XML, JSON and a \
            readable dump; `bench` measures the codecs on a message of your choice.
            """,
        subcommands: [Convert.self, Bench.self]
    )
}
