// Reads config texts, one base64 line each (args[0]), and prints one JSON
// line per config: SnakeYAML's reading with its SafeConstructor (the YAML 1.1
// loader under Spring Boot and most JVM apps), in the canonical form of
// canonical.ts (tagged numbers, map keys as strings, dates and bytes tagged).
import java.io.BufferedReader;
import java.io.FileReader;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

public class SnakeLoader {
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    out.println("[\"snakeyaml SafeConstructor\"]");
    try (BufferedReader r = new BufferedReader(new FileReader(args[0], StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String text = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder("[");
        try {
          LoaderOptions opts = new LoaderOptions();
          Object v = new Yaml(new SafeConstructor(opts)).load(text);
          sb.append("{\"ok\":true,\"v\":");
          canon(v, sb);
          sb.append("}");
        } catch (Throwable e) {
          String m = String.valueOf(e.getMessage()).split("\n")[0];
          sb.append("{\"ok\":false,\"e\":");
          str(e.getClass().getSimpleName() + ": " + (m.length() > 200 ? m.substring(0, 200) : m), sb);
          sb.append("}");
        }
        out.println(sb.append("]"));
      }
    }
    out.flush();
  }

  static String numText(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) return "n" + v.toString();
    double d = ((Number) v).doubleValue();
    if (Double.isNaN(d)) return "nNaN";
    if (Double.isInfinite(d)) return d > 0 ? "nInfinity" : "n-Infinity";
    if (d == Math.rint(d)) return "n" + new BigDecimal(d).toBigInteger().toString();
    return "f" + Double.toString(d);
  }

  static String key(Object k) {
    if (k == null) return "null";
    if (k instanceof Boolean) return k.toString();
    if (k instanceof String) return (String) k;
    if (k instanceof Number) return numText(k).substring(1);
    return "#key:" + k.getClass().getSimpleName() + ":" + k;
  }

  static void canon(Object v, StringBuilder sb) {
    if (v == null) sb.append("null");
    else if (v instanceof Boolean) sb.append(v.toString());
    else if (v instanceof String) str((String) v, sb);
    else if (v instanceof Number) {
      String t = numText(v);
      sb.append(t.charAt(0) == 'n' ? "{\"#n\":" : "{\"#f\":");
      str(t.substring(1), sb);
      sb.append("}");
    } else if (v instanceof List) {
      sb.append("[");
      boolean first = true;
      for (Object e : (List<?>) v) {
        if (!first) sb.append(",");
        first = false;
        canon(e, sb);
      }
      sb.append("]");
    } else if (v instanceof Map) {
      TreeMap<String, Object> m = new TreeMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        String k = key(e.getKey());
        if (m.containsKey(k)) {
          sb.append("{\"#collision\":");
          str(k, sb);
          sb.append("}");
          return;
        }
        m.put(k, e.getValue());
      }
      sb.append("{\"#m\":{");
      boolean first = true;
      for (Map.Entry<String, Object> e : m.entrySet()) {
        if (!first) sb.append(",");
        first = false;
        str(e.getKey(), sb);
        sb.append(":");
        canon(e.getValue(), sb);
      }
      sb.append("}}");
    } else if (v instanceof Date) {
      sb.append("{\"#date\":");
      str(((Date) v).toInstant().toString(), sb);
      sb.append("}");
    } else if (v instanceof byte[]) {
      sb.append("{\"#bytes\":\"");
      for (byte b : (byte[]) v) sb.append(String.format("%02x", b));
      sb.append("\"}");
    } else if (v instanceof Set) {
      sb.append("{\"#other\":\"set\"}");
    } else {
      sb.append("{\"#other\":");
      str(v.getClass().getSimpleName(), sb);
      sb.append("}");
    }
  }

  static void str(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    sb.append('"');
  }
}
