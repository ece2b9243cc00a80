/**
 * The automatic zero-bubble scheduler (docs/design.md §4): a heuristic that reproduces the reference
 * implementation's {@code manual_order}, searched over its eight {@link io.zbpp.schedule.auto.Choices}.
 *
 * <p>Entry points: {@link io.zbpp.schedule.auto.AutoScheduler#search(io.zbpp.schedule.Shape,
 * io.zbpp.schedule.CostModel)} (best plan under the model's memory limit, with its choices and simulated
 * timeline), {@link io.zbpp.schedule.auto.AutoScheduler#withChoices} (one combination, e.g. to warm-start an
 * exact optimizer), {@link io.zbpp.schedule.auto.AutoScheduler#candidateCosts} (all eight costs), and the
 * registered schedulers {@code zb-1p}, {@code zb-2p}, {@code zb-auto} of
 * {@link io.zbpp.schedule.auto.AutoZeroBubble}.
 */
package io.zbpp.schedule.auto;
