"""The national tables from a layout's rows: where each table sits, which labelled row is
which canonical row, and the cells of tables 二 (active), 三 (requests) and 四 (appeals).

May import: the rest of ``parsing`` only.
"""
