// swift-kmip: KMIPXML
//
// The XML and JSON encodings of the KMIP item tree (KMIP Additional Message Encodings v1.0).
// The codecs land with the KMIPXML issue; this module re-exports the tree they work on.

@_exported import KMIPTTLV
