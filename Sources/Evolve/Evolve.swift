/// The evolutionary search of layer-wise merge coefficients (REFERENCE.md,
/// "Homogeneous search"): CMA-ES proposes genomes, each genome becomes a
/// mergekit recipe, and the candidate merge is scored in process by the
/// forward pass, its layers merged on the fly as the pass reaches them.
public enum Evolve {}
