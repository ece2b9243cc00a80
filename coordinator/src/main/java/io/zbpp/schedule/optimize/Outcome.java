package io.zbpp.schedule.optimize;

/**
 * The result of a search phase: the best incumbent and the lower bound (units) the phase proved.
 *
 * @param best the best valid orders found
 * @param bound a proven lower bound on every plan's cost, in units
 */
record Outcome(Incumbent best, long bound) {}
