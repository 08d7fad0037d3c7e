/**
 * The tutorial's running-loss bookkeeping: `running_loss += loss.item()` every mini-batch (a double sum of float32
 * losses), and every `logEverySteps` mini-batches `running_loss / logEverySteps` is logged and the sum reset.
 */
export class RunningLoss {
  /** Sum of the losses since the last {@link take}; a double, like Python's float. */
  sum = 0;
  /** Number of losses in {@link sum}. */
  count = 0;

  add(loss: number): void {
    this.sum += loss;
    this.count += 1;
  }

  /** The mean over the window (`sum / count`), then reset. */
  take(): number {
    const mean = this.sum / this.count;
    this.reset();
    return mean;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  /** Exact state for a checkpoint (JSON numbers round-trip doubles exactly). */
  save(): { sum: number; count: number } {
    return { sum: this.sum, count: this.count };
  }

  restore(state: { sum: number; count: number }): void {
    this.sum = state.sum;
    this.count = state.count;
  }
}
