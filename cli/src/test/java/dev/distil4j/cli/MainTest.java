package dev.distil4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MainTest {
    private static List<String> built(String... args) {
        return List.copyOf(Main.commandLine(CommandLine.defaultFactory(), args).getSubcommands().keySet());
    }

    /** A run builds only the command it names (its aliases too): the others' models are start-up time spent for nothing. */
    @Test
    void aRunBuildsOnlyItsCommand() {
        assertEquals(List.of("embed"), built("embed", "--model", "x", "a text"));
        assertThat(built("question-answering", "--help")).containsExactlyInAnyOrder("qa", "question-answering");
    }

    /** The usage, help and a mistyped name see every command, in the usage's order. */
    @Test
    void helpAndUnknownNamesSeeEveryCommand() {
        List<String> all = List.of("forward", "fill-mask", "classify", "embed", "convert", "init-student", "models", "ner",
                "token-classification", "qa", "question-answering", "tokenize", "serve", "train", "evaluate", "distil", "help");
        assertEquals(all, built());
        assertEquals(all, built("--help"));
        assertEquals(all, built("help", "embed"));
        assertEquals(all, built("embd"));
        CliRun.Result typo = CliRun.run("", "embd");
        assertEquals(2, typo.code());
        assertThat(typo.err()).contains("Unmatched argument at index 0: 'embd'").contains("embed");
        CliRun.Result usage = CliRun.run("", "--help");
        assertEquals(0, usage.code());
        assertThat(usage.out()).containsSubsequence("forward", "fill-mask", "classify", "embed", "tokenize", "serve", "distil", "help");
    }
}
