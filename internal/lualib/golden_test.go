package lualib

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// The golden tests run each case's script, wrapped in renderLua, in
// gopher-lua with Open and compare what it renders with what redis-server
// 7.0.15 rendered for the same script, stored in testdata/golden.json.
//
// To make the golden data again, start a redis-server and give its socket:
//
//	redis-server --port 0 --unixsocket /tmp/lualib/r.sock --save '' --appendonly no --daemonize yes
//	go test ./internal/lualib -run TestGolden -args -redis=/tmp/lualib/r.sock
var redisSock = flag.String("redis", "", "unix socket of a redis-server 7.0.15 to make testdata/golden.json with")

const goldenFile = "testdata/golden.json"

// renderLua runs a case's code (a function body, on the script's first line
// so that error positions are those of the case alone) under pcall and
// renders what it gives as text, the same way in both Luas: numbers with
// %.17g, strings with their bytes other than letters, digits and space
// hex-escaped, tables with their entries sorted.
const renderLua = `local f = function() %s
end
local function R(v)
  local t = type(v)
  if t == 'string' then
    local b = {}
    for i = 1, #v do
      local c = v:byte(i)
      if c < 32 or c > 126 or c == 92 then b[i] = string.format('\\%%02x', c) else b[i] = string.char(c) end
    end
    return '"' .. table.concat(b) .. '"'
  elseif t == 'number' then
    if v ~= v then return 'nan' end
    if v == 1/0 then return 'inf' end
    if v == -1/0 then return '-inf' end
    if v == 0 and 1/v < 0 then return '-0' end
    return string.format('%%.17g', v)
  elseif t == 'table' then
    local ks = {}
    for k, x in pairs(v) do ks[#ks+1] = R(k) .. '=' .. R(x) end
    table.sort(ks)
    return '{' .. table.concat(ks, ',') .. '}'
  elseif t == 'userdata' and v == cjson.null then
    return 'null'
  end
  return t .. ':' .. tostring(v)
end
local r = {pcall(f)}
local out = {}
for i = 1, select('#', unpack(r)) do out[i] = R(r[i]) end
return table.concat(out, ' ')
`

func caseScript(code string) string {
	return fmt.Sprintf(renderLua, code)
}

type golden struct {
	Script string `json:"script"`
	Result string `json:"result"`
}

// runLocal runs script in a fresh gopher-lua state with Open.
func runLocal(script string) (string, error) {
	L := lua.NewState(lua.Options{RegistrySize: 1024 * 20, RegistryMaxSize: 1024 * 80})
	defer L.Close()
	Open(L)
	fn, err := L.Load(strings.NewReader(script), "user_script")
	if err != nil {
		return "", err
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return "", err
	}
	return L.Get(-1).String(), nil
}

func TestGolden(t *testing.T) {
	if *redisSock != "" {
		generateGolden(t)
	}
	data, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]golden
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, ok := want[c.name]
			script := caseScript(c.code)
			if !ok || g.Script != c.code {
				t.Fatalf("no golden result for this script: run with -args -redis=SOCKET")
			}
			got, err := runLocal(script)
			if err != nil {
				t.Fatalf("%s: %v", c.code, err)
			}
			if got != g.Result {
				t.Errorf("%s\n got  %s\n want %s", c.code, got, g.Result)
			}
		})
	}
}

// generateGolden runs every case through redis-server's EVAL and writes
// testdata/golden.json.
func generateGolden(t *testing.T) {
	conn, err := net.Dial("unix", *redisSock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	out := map[string]golden{}
	for _, c := range cases {
		if _, dup := out[c.name]; dup {
			t.Fatalf("two cases named %s", c.name)
		}
		script := caseScript(c.code)
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n", len(script), script)
		reply, err := readReply(r)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		out[c.name] = golden{Script: c.code, Result: reply}
	}
	data, err := json.MarshalIndent(out, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenFile, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readReply reads a bulk string reply; an error reply is made an error.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch {
	case strings.HasPrefix(line, "-"):
		return "", fmt.Errorf("redis: %s", line[1:])
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("redis: unexpected reply %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("redis: unexpected reply %q", line)
}
