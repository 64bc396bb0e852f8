%% The Erlang/OTP side of AIOS's peer benchmarks (bench/peers/erlang-*.ts). Each workload prints one
%% JSON line with its rate. Plain processes and messages, as an OTP application would use them.
-module(aios_peer).
-export([spawn_exit/1, messages/1, rpc/1, crunch/1]).

now_us() -> erlang:monotonic_time(microsecond).

%% Spawn N processes that exit at once, at most 64 alive at a time (as the AIOS bench does), and wait for
%% each exit through a monitor.
spawn_exit(N) ->
    T0 = now_us(),
    spawn_loop(N, 0),
    Secs = (now_us() - T0) / 1.0e6,
    io:format("{\"workload\":\"spawn_exit\",\"n\":~p,\"secs\":~f,\"perSec\":~f}~n", [N, Secs, N / Secs]).

spawn_loop(0, 0) -> ok;
spawn_loop(Left, InFlight) when Left > 0, InFlight < 64 ->
    spawn_monitor(fun() -> ok end),
    spawn_loop(Left - 1, InFlight + 1);
spawn_loop(Left, InFlight) ->
    receive {'DOWN', _, process, _, _} -> spawn_loop(Left, InFlight - 1) end.

%% N messages of 1 KiB from one process to another; the sender is throttled by a window of credits
%% so the receiver's mailbox stays bounded, as AIOS's bounded mailbox (EAGAIN) forces its sender to be.
messages(N) ->
    Self = self(),
    Payload = binary:copy(<<7>>, 1024),
    Rx = spawn(fun() -> rx_loop(N, Self, 0) end),
    T0 = now_us(),
    tx_loop(Rx, Payload, N, 0),
    receive {done, Bytes} -> ok end,
    Secs = (now_us() - T0) / 1.0e6,
    io:format("{\"workload\":\"messages\",\"n\":~p,\"bytes\":~p,\"secs\":~f,\"perSec\":~f}~n", [N, Bytes, Secs, N / Secs]).

-define(WINDOW, 65536).
-define(ACK_EVERY, 4096).

tx_loop(_Rx, _P, 0, _Outstanding) -> ok;
tx_loop(Rx, P, Left, Outstanding) when Outstanding >= ?WINDOW ->
    receive {ack, K} -> tx_loop(Rx, P, Left, Outstanding - K) end;
tx_loop(Rx, P, Left, Outstanding) ->
    Rx ! {msg, P},
    tx_loop(Rx, P, Left - 1, Outstanding + 1).

rx_loop(N, Parent, Got) when Got =:= N -> Parent ! {done, N * 1024};
rx_loop(N, Parent, Got) ->
    receive {msg, P} when byte_size(P) =:= 1024 ->
        G = Got + 1,
        case G rem ?ACK_EVERY of 0 -> Parent ! {ack, ?ACK_EVERY}; _ -> ok end,
        rx_loop(N, Parent, G)
    end.

%% N request/reply round trips (gen_server:call's shape: {call, From, Ref, Req} -> {Ref, Reply}) with a
%% 1 KiB request and a small reply, one outstanding at a time.
rpc(N) ->
    Server = spawn(fun server_loop/0),
    Req = binary:copy(<<7>>, 1024),
    T0 = now_us(),
    Lat = rpc_loop(Server, Req, N, []),
    Secs = (now_us() - T0) / 1.0e6,
    Sorted = lists:sort(Lat),
    P50 = lists:nth(max(1, N div 2), Sorted),
    P99 = lists:nth(max(1, (N * 99) div 100), Sorted),
    Server ! stop,
    io:format("{\"workload\":\"rpc\",\"n\":~p,\"secs\":~f,\"perSec\":~f,\"p50us\":~p,\"p99us\":~p}~n", [N, Secs, N / Secs, P50, P99]).

rpc_loop(_S, _Req, 0, Acc) -> Acc;
rpc_loop(S, Req, Left, Acc) ->
    T = erlang:monotonic_time(nanosecond),
    Ref = make_ref(),
    S ! {call, self(), Ref, Req},
    receive {Ref, _Reply} -> ok end,
    Dt = (erlang:monotonic_time(nanosecond) - T) / 1000,
    rpc_loop(S, Req, Left - 1, [Dt | Acc]).

server_loop() ->
    receive
        {call, From, Ref, Req} -> From ! {Ref, byte_size(Req)}, server_loop();
        stop -> ok
    end.

%% CPU-bound scaling, as bench/executors.ts's crunchers: K processes, each Slices slices of 20,000 steps of
%% x = (x * 31 + i) mod 2^32, with erlang:yield() between slices; wall time from the first spawn to the last
%% exit. Run under +S 1 and +S N for the speedup. Arg: {K, Slices}.
crunch({K, Slices}) ->
    Self = self(),
    T0 = now_us(),
    [spawn(fun() -> Self ! {crunched, crunch_slices(Slices, 0)} end) || _ <- lists:seq(1, K)],
    [receive {crunched, _} -> ok end || _ <- lists:seq(1, K)],
    Ms = (now_us() - T0) / 1000.0,
    io:format("{\"workload\":\"crunch\",\"agents\":~p,\"slices\":~p,\"wallMs\":~f}~n", [K, Slices, Ms]).

crunch_slices(0, X) -> X;
crunch_slices(S, X) ->
    X1 = crunch_steps(0, X),
    erlang:yield(),
    crunch_slices(S - 1, X1).

crunch_steps(20000, X) -> X;
crunch_steps(I, X) -> crunch_steps(I + 1, (X * 31 + I) band 16#FFFFFFFF).
