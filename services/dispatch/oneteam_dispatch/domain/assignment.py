"""The assignment problem on a sparse graph, with the prices that prove its answer.

Rows are slots, columns officers, edges the allowed pairs with their cost. The answer
serves as many rows as possible and, among those answers, has the least total cost: the
same objective as the dense solver, whose "infeasible" entries were a cost so large that
the solver used one only when a row had nothing else. Here every row gets a private
stand-in column at such a cost instead, so a full matching always exists and scipy's
sparse Jonker–Volgenant solver (LAPJVsp) can run on the edges alone.

Large problems are given to LAPJVsp square. On a rectangular one (fewer rows than columns) scipy's
port skips the algorithm's cheap start (column reduction, augmenting row reduction) and runs
a shortest-path search from every row, each of which resets and scans every column: most of
a 1 000 × 5 000 match. Squared — one spare row per officer column, which takes its officer
or, when a slot took that officer, the slot's unused stand-in — the start settles most rows
and the search runs for the few left (the solver's own time at 1 000 × 5 000: ~18 → ~6 ms).
Every spare edge costs the same, so the square problem's optima are the rectangular one's.

The row prices (the dual solution) let matching prove that pairs it never looked at could
not have helped: if every pair left out costs at least its row's price, the answer on the
sparse graph is optimal on the whole one (linear-programming duality).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import min_weight_full_bipartite_matching  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_ROUNDS = 100
_SPARE = 1.0  # the weight of every spare edge: any positive constant
# The rectangular search costs ~ rows × columns, the square one ~ edges: square above this
# ratio of rows × columns to edges (stand-ins counted both ways). Measured: rectangular wins
# at ~9 (100 × 500, every pair tried: 0.29 against 0.45 ms), square at ~100 (150 × 750:
# 0.48 against 0.62 ms; 1 000 × 5 000: ~6 against ~18 ms for the solver).
_SQUARE_OVER = 20


@dataclass(frozen=True)
class Assignment:
    """Each row's column (-1: none) and, when they could be computed, the row prices."""

    column: IntArray
    price: FloatArray | None


def assign(rows: IntArray, columns: IntArray, cost: FloatArray, shape: tuple[int, int],
           bounds: tuple[float, float], *, priced: bool = True) -> Assignment:
    """Serve as many rows as possible, then at the least total cost of the edges used.

    `shape` counts rows and columns; `bounds` hold the cost of every edge, given or not:
    the prices are then valid for the whole graph, so the caller may compare them with
    edges it left out. A caller who left nothing out needs no prices (`priced`).
    """
    row_count, column_count = shape
    if row_count == 0:
        return Assignment(np.zeros(0, dtype=np.int64), np.zeros(0))
    key = rows * (column_count + 1) + columns
    if key.size > 1 and not (key[1:] > key[:-1]).all():  # matching hands them over sorted
        order = np.argsort(key)
        rows, columns, cost = rows[order], columns[order], cost[order]
    low, high = bounds
    # LAPJVsp reads a zero weight as "no edge": lift every weight above zero. A stand-in
    # costs more than any change of the real costs can gain, so serving one more row wins.
    lift = 1.0 - low
    stand_in = (row_count + 1) * (high - low + 1.0) + 1.0
    if row_count * (column_count + row_count) < _SQUARE_OVER * (rows.size + row_count):
        officers = np.arange(column_count)
        graph = _with_stand_ins(rows, columns, cost + lift, row_count, column_count, stand_in)
        chosen = _solve_rectangular(graph)
    else:  # only officers some row may take are columns of the square
        present = np.zeros(column_count, dtype=np.bool_)
        present[columns] = True
        officers = np.flatnonzero(present)
        graph = _with_stand_ins(rows, (np.cumsum(present) - 1)[columns], cost + lift, row_count, officers.size,
                                stand_in)
        chosen = _solve_square(graph, officers.size)
    answer = np.full(row_count, -1, dtype=np.int64)
    served = chosen < officers.size
    answer[served] = officers[chosen[served]]
    if not priced:
        return Assignment(answer, None)
    price = _row_prices(graph, chosen)
    return Assignment(answer, None if price is None else price - lift)


def _with_stand_ins(rows: IntArray, columns: IntArray, weight: FloatArray, row_count: int, width: int,
                    stand_in: float) -> csr_matrix:
    """The rectangular graph: each row's edges, then its private stand-in (column width + row)."""
    # Built in place with 32-bit indices, the type scipy's matching works in: no copies.
    indptr = np.zeros(row_count + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=row_count) + 1, out=indptr[1:])
    at = np.arange(rows.size) + rows  # an edge moves one place for each stand-in before it
    last = indptr[1:] - 1
    data = np.empty(int(indptr[-1]))
    data[at], data[last] = weight, stand_in
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    indices[at], indices[last] = columns, width + np.arange(row_count)
    return csr_matrix((data, indices, indptr), shape=(row_count, width + row_count))


def _solve_rectangular(graph: csr_matrix) -> IntArray:
    """Each row's column in a least-cost matching of `graph` that serves every row (its stand-in if need be)."""
    _, column_index = min_weight_full_bipartite_matching(graph)
    chosen: IntArray = np.asarray(column_index, dtype=np.int64)
    return chosen


def _solve_square(graph: csr_matrix, width: int) -> IntArray:
    """`_solve_rectangular`'s answer, found on a square graph.

    Spare row `row_count + j` has an edge to officer j and to the stand-in of every row that
    may take officer j, all at `_SPARE`: whatever the rows choose, the spares fill the other
    columns (officer j's spare takes the stand-in of the row that took j), always at the same
    total, so the least-cost perfect matching of the square graph restricted to the rows is a
    least-cost matching of the rectangular one.
    """
    row_count, entries = graph.shape[0], graph.nnz
    by_officer = graph.tocsc()
    ends = by_officer.indptr[:width + 1]  # the officers' columns; each lists its rows in order
    indptr = np.concatenate([graph.indptr, entries + ends[1:] + np.arange(1, width + 1, dtype=np.int32)])
    own = indptr[row_count:-1]  # a spare row starts with its officer, then the rows' stand-ins
    stand_ins = np.ones(int(indptr[-1]), dtype=np.bool_)
    stand_ins[:entries] = stand_ins[own] = False
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    indices[:entries], indices[own] = graph.indices, np.arange(width)
    indices[stand_ins] = width + by_officer.indices[:ends[-1]]
    data = np.full(int(indptr[-1]), _SPARE)
    data[:entries] = graph.data
    square = csr_matrix((data, indices, indptr), shape=(row_count + width, width + row_count))
    _, column_index = min_weight_full_bipartite_matching(square)
    chosen: IntArray = np.asarray(column_index[:row_count], dtype=np.int64)
    return chosen


def _row_prices(graph: csr_matrix, chosen: IntArray) -> FloatArray | None:
    """Dual prices of the rows for an optimal matching, or None when they do not settle.

    Column prices p ≥ 0 (0 for unused columns) must make every row like its own column
    best: w[i, chosen] + p[chosen] ≤ w[i, j] + p[j]. The least such prices are a longest-path
    problem, solved by Bellman–Ford rounds; a row's price is then u = w[i, chosen] + p[chosen].
    Prices only rise from zero, so a round reads only the edges of the rows whose price rose
    in the round before (after the first, a few hundred of 55 000 edges at 1 000 × 5 000). An
    optimal matching has no improving cycle, so the rounds settle within as many rounds as
    there are rows; in practice within twenty at 1 000 × 5 000. Past `_ROUNDS` the caller is
    better off searching further than waiting.
    """
    row_count, width = graph.shape
    entry_row = np.repeat(np.arange(row_count), np.diff(graph.indptr))
    # Entries are sorted by (row, column): find each row's own entry by binary search.
    own = graph.data[np.searchsorted(entry_row * width + graph.indices, np.arange(row_count) * width + chosen)]
    owner = np.full(width, -1, dtype=np.int64)
    owner[chosen] = np.arange(row_count)
    price = np.zeros(width)
    rising = np.arange(row_count)
    for _ in range(min(row_count + 1, _ROUNDS)):
        u = own + price[chosen]
        edges = _edges_of(graph.indptr, rising)
        raised = price.copy()
        np.maximum.at(raised, graph.indices[edges], u[entry_row[edges]] - graph.data[edges])
        changed = np.flatnonzero(raised > price)
        if not changed.size:
            row_price: FloatArray = u
            return row_price
        price = raised
        rising = owner[changed]
        rising = rising[rising >= 0]
    return None


def _edges_of(indptr: IntArray, rows: IntArray) -> IntArray:
    """The positions of `rows`' edges in a CSR graph with these row pointers."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    edges: IntArray = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return edges
