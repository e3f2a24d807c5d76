#!/usr/bin/env python3
"""Replaces the part of DOC between the GENERATED markers with the contents of GENERATED.

Usage: update_generated_section.py DOC GENERATED
"""
import re
import sys

doc, generated = sys.argv[1], sys.argv[2]
text = open(doc).read()
table = open(generated).read()
new, n = re.subn(r"(<!-- BEGIN GENERATED[^\n]*-->\n).*?(<!-- END GENERATED -->)", lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
if n != 1:
    sys.exit(f"{doc}: expected one <!-- BEGIN GENERATED ... --> / <!-- END GENERATED --> pair")
open(doc, "w").write(new)
