#!/usr/bin/env python3
"""Writes a KMIP 1.4 Request Message in XML of about SIZE bytes (default 1,000,000) to stdout:
a batch of Register requests (symmetric keys with attributes), the shape of a bulk import.
Used by compare-codec.sh to measure the XML and JSON codecs on a large message."""
import sys

size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
item = """  <BatchItem>
    <Operation type="Enumeration" value="Register"/>
    <UniqueBatchItemID type="ByteString" value="{id:08x}"/>
    <RequestPayload>
      <ObjectType type="Enumeration" value="SymmetricKey"/>
      <TemplateAttribute>
        <Attribute>
          <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
          <AttributeValue type="Integer" value="Encrypt Decrypt"/>
        </Attribute>
        <Attribute>
          <AttributeName type="TextString" value="Name"/>
          <AttributeValue>
            <NameValue type="TextString" value="camera-clip-key-{id}"/>
            <NameType type="Enumeration" value="UninterpretedTextString"/>
          </AttributeValue>
        </Attribute>
        <Attribute>
          <AttributeName type="TextString" value="Activation Date"/>
          <AttributeValue type="DateTime" value="2026-11-26T05:00:00+00:00"/>
        </Attribute>
      </TemplateAttribute>
      <SymmetricKey>
        <KeyBlock>
          <KeyFormatType type="Enumeration" value="Raw"/>
          <KeyValue>
            <KeyMaterial type="ByteString" value="{key}"/>
          </KeyValue>
          <CryptographicAlgorithm type="Enumeration" value="AES"/>
          <CryptographicLength type="Integer" value="256"/>
        </KeyBlock>
      </SymmetricKey>
    </RequestPayload>
  </BatchItem>
"""
head = """<RequestMessage>
  <RequestHeader>
    <ProtocolVersion>
      <ProtocolVersionMajor type="Integer" value="1"/>
      <ProtocolVersionMinor type="Integer" value="4"/>
    </ProtocolVersion>
    <BatchCount type="Integer" value="{count}"/>
  </RequestHeader>
"""
one = len(item.format(id=0, key="00" * 32))
count = max(1, (size - len(head)) // one)
out = [head.format(count=count)]
for i in range(count):
    out.append(item.format(id=i, key=f"{i:064x}"))
out.append("</RequestMessage>\n")
sys.stdout.write("".join(out))
