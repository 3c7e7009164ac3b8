package io.hypha.bench.network;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;
import jakarta.json.stream.JsonGenerator;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw results of one network benchmark run: the environment and settings (name/value pairs, in order) and every
 * run on both sides. Stored as JSON ({@code bench/results/network.json}); {@link NetworkReport} makes the Markdown.
 *
 * @param environment what the run was measured on and with (machine, load, versions, settings)
 * @param runs        every run, in the order they ran
 */
public record Results(Map<String, String> environment, List<RunResult> runs) {
    /** Copies. */
    public Results {
        environment = new LinkedHashMap<>(environment);
        runs = List.copyOf(runs);
    }

    /** Writes the JSON file. */
    public void write(Path file) throws IOException {
        JsonObjectBuilder env = Json.createObjectBuilder();
        environment.forEach(env::add);
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (RunResult r : runs) {
            JsonObjectBuilder o = Json.createObjectBuilder()
                    .add("transport", r.transport()).add("impl", r.impl()).add("round", r.round())
                    .add("phase", r.phase().encode()).add("outcome", r.outcome().name()).add("progress", r.progress());
            number(o, "rate", r.rate());
            if (r.latency() != null) {
                Stats.Latency l = r.latency();
                o.add("latency", Json.createObjectBuilder().add("count", l.count()).add("p50", l.p50()).add("p99", l.p99())
                        .add("p999", l.p999()).add("max", l.max()).add("mean", l.mean()));
            }
            o.add("heapAfterGcKiB", r.heapAfterGcKiB());
            number(o, "wireBytes", r.wireBytes());
            number(o, "seconds", r.seconds());
            number(o, "cpuMicros", r.cpuMicros());
            o.add("note", r.note());
            array.add(o);
        }
        JsonWriterFactory factory = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true));
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8); JsonWriter jw = factory.createWriter(w)) {
            jw.writeObject(Json.createObjectBuilder().add("environment", env).add("runs", array).build());
        }
    }

    private static void number(JsonObjectBuilder o, String name, double value) {
        if (Double.isNaN(value)) {
            o.addNull(name);
        } else {
            o.add(name, value);
        }
    }

    /** Reads a file {@link #write} wrote. */
    public static Results read(Path file) throws IOException {
        JsonObject root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8); JsonReader jr = Json.createReader(r)) {
            root = jr.readObject();
        }
        Map<String, String> environment = new LinkedHashMap<>();
        root.getJsonObject("environment").forEach((k, v) -> environment.put(k, ((jakarta.json.JsonString) v).getString()));
        List<RunResult> runs = new ArrayList<>();
        for (JsonValue value : root.getJsonArray("runs")) {
            JsonObject o = value.asJsonObject();
            Stats.Latency latency = null;
            if (o.containsKey("latency") && !o.isNull("latency")) {
                JsonObject l = o.getJsonObject("latency");
                latency = new Stats.Latency(l.getJsonNumber("count").longValue(), l.getJsonNumber("p50").longValue(),
                        l.getJsonNumber("p99").longValue(), l.getJsonNumber("p999").longValue(),
                        l.getJsonNumber("max").longValue(), l.getJsonNumber("mean").doubleValue());
            }
            runs.add(new RunResult(o.getString("transport"), o.getString("impl"), o.getInt("round"),
                    Phase.parse(o.getString("phase")), RunResult.Outcome.valueOf(o.getString("outcome")),
                    o.getJsonNumber("progress").longValue(), number(o, "rate"), latency,
                    o.getJsonNumber("heapAfterGcKiB").longValue(), number(o, "wireBytes"), number(o, "seconds"),
                    number(o, "cpuMicros"), o.getString("note", "")));
        }
        return new Results(environment, runs);
    }

    private static double number(JsonObject o, String name) {
        if (!o.containsKey(name) || o.isNull(name)) {
            return Double.NaN;
        }
        return ((JsonNumber) o.get(name)).doubleValue();
    }
}
