package dev.distil4j.pipeline;

/**
 * One input already tokenised for a pipeline: what the model will run for it, known before it runs.
 * Pipelines split a call into {@code prepare} (tokenising, on any thread) and a run on prepared
 * inputs (the forward passes and their post-processing), so a server can tokenise on the request's
 * thread, check what an input will cost against its limits before queueing it, and keep its model's
 * worker for model work.
 */
public interface PreparedInput {
    /** Tokens the model runs for this input: the sum over its windows, special tokens included. */
    int tokens();

    /** Forward-pass sequences (windows) it takes: 1 unless a long input is split. */
    default int windows() {
        return 1;
    }
}
