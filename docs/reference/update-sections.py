#!/usr/bin/env python3
"""update-sections.py: remakes async-glib-sections.txt, and the list of
sections in async-glib-docs.xml, from the public headers, so that a symbol
added to a header is in the reference (and a removed one is gone) without
editing either by hand. Run by `make update-abi` (or `make -C docs/reference
update-sections`) in a configured build; commit what changes.

One section a header, in the header's order. Symbols ending in an
underscore (the coroutine macros' machinery) go in a Private subsection;
GType macros and get_type functions in the Standard one, as gtk-doc wants.

Usage: update-sections.py SRCDIR BUILDDIR [gtkdoc-scan options...]
  SRCDIR    docs/reference in the source tree (the files are written there)
  BUILDDIR  the top of the build tree (for the generated headers)
"""

import os
import re
import subprocess
import sys
import tempfile

MODULE = 'async-glib'
BEGIN = '<!-- BEGIN sections: made by update-sections.py -->'
END = '<!-- END sections -->'


def scan(srcdir, builddir, options):
    """The decl list gtkdoc-scan makes, and its declarations."""
    top_srcdir = os.path.normpath(os.path.join(srcdir, '..', '..'))
    dirs = [os.path.join(top_srcdir, 'include', 'async-glib'),
            os.path.join(builddir, 'include', 'async-glib')]
    with tempfile.TemporaryDirectory() as tmp:
        args = ['gtkdoc-scan', '--module=' + MODULE, '--output-dir=' + tmp]
        args += ['--source-dir=' + d for d in dict.fromkeys(os.path.realpath(d) for d in dirs)]
        subprocess.run(args + options, check=True)
        with open(os.path.join(tmp, MODULE + '-decl-list.txt'), encoding='utf-8') as f:
            decl_list = f.read()
        with open(os.path.join(tmp, MODULE + '-decl.txt'), encoding='utf-8') as f:
            decls = f.read()
        return decl_list, decls


def sections_of(decl_list):
    """(file, [(subsection or None, symbol)]) for each section of decl_list."""
    sections = []
    for block in re.findall(r'<SECTION>\n(.*?)</SECTION>', decl_list, re.S):
        name = re.search(r'<FILE>(.*)</FILE>', block).group(1)
        subsection = None
        symbols = []
        for line in block.splitlines():
            if line.startswith('<FILE>') or not line.strip():
                continue
            m = re.match(r'<SUBSECTION ?(.*)>', line)
            if m:
                subsection = m.group(1) or None
                continue
            symbols.append((subsection, line.strip()))
        sections.append((name, symbols))
    return sections


def add_missing_get_types(sections, decls):
    """gtkdoc-scan 1.33 leaves some foo_get_type () out of the decl list (that
    of AsyncHttpError, whose domain macro shares its prefix); put each one
    back beside the ASYNC_TYPE_ macro that calls it."""
    listed = {s for _, symbols in sections for _, s in symbols}
    for _, symbols in sections:
        for sub, s in list(symbols):
            m = re.search(r'#define ' + re.escape(s) + r' \((\w+_get_type) \(\)\)', decls)
            if s.startswith('ASYNC_TYPE_') and m and m.group(1) not in listed:
                symbols.append(('Standard', m.group(1)))
                listed.add(m.group(1))


def kind_of(subsection, symbol):
    if symbol.endswith('_') or symbol.startswith('_') or symbol == 'ASYNC_GLIB_INSIDE':
        return 'Private'
    if subsection == 'Standard' or re.match(r'^(ASYNC_TYPE_\w+|async_\w+_get_type)$', symbol):
        return 'Standard'
    return None


def write_sections(srcdir, sections):
    out = ['# Made by update-sections.py from the public headers (make update-abi).', '']
    for name, symbols in sections:
        out += ['<SECTION>', '<FILE>%s</FILE>' % name]
        for kind in (None, 'Standard', 'Private'):
            names = [s for sub, s in symbols if kind_of(sub, s) == kind]
            if not names:
                continue
            if kind:
                out.append('<SUBSECTION %s>' % kind)
            out += names
        out += ['</SECTION>', '']
    with open(os.path.join(srcdir, MODULE + '-sections.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))


def write_chapter(srcdir, sections):
    path = os.path.join(srcdir, MODULE + '-docs.xml')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    start = text.index(BEGIN) + len(BEGIN)
    stop = text.index(END)
    indent = re.search(r'\n([ \t]*)' + re.escape(END), text).group(1)
    includes = ''.join('\n%s<xi:include href="xml/%s.xml"/>' % (indent, name)
                       for name, symbols in sections)
    text = text[:start] + includes + '\n' + indent + text[stop:]
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    srcdir, builddir, options = sys.argv[1], sys.argv[2], sys.argv[3:]
    decl_list, decls = scan(srcdir, builddir, options)
    sections = sections_of(decl_list)
    add_missing_get_types(sections, decls)
    write_sections(srcdir, sections)
    write_chapter(srcdir, sections)


if __name__ == '__main__':
    main()
