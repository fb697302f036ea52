/** How a pool's nodes are bought. */
export type CapacityType = "ON_DEMAND" | "SPOT";

/**
 * A GPU pool's capacity type: `Capacity.onDemand()` or `Capacity.spot()`. Spot costs a
 * fraction of on-demand but nodes can be reclaimed with two minutes' notice: fine for
 * checkpointed training, never for a pool marked critical.
 */
export class Capacity {
  public static onDemand(): Capacity {
    return new Capacity("ON_DEMAND");
  }

  public static spot(): Capacity {
    return new Capacity("SPOT");
  }

  private constructor(public readonly type: CapacityType) {}

  public get isSpot(): boolean {
    return this.type === "SPOT";
  }

  public toString(): string {
    return this.isSpot ? "spot" : "on-demand";
  }
}
