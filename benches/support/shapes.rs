//! The words of a generated bundle: the shapes of fault events, near misses and noise events,
//! per component and log layout, and the identifiers, scripts, exceptions and stack frames they
//! are filled with. Read by the generator in `generate.rs`.
//!
//! Fault shapes follow the rules' `match` examples, each matching its own rule and no other. Near
//! misses are the rules' `no_match` examples, or a literal at a level or in a component that the
//! rule does not cover. Noise never holds a literal of the default pack.

use super::{ALB, DISPATCH, HEALTHCHECK, LogKind, OPENAPI, TASK_TIMEOUT};

/// One event: its level, its thread's name (a number is added; empty for SOFABoot's `main`
/// layout), its lines with `{placeholders}`, and whether a Java stack trace follows.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) level: &'static str,
    pub(super) thread: &'static str,
    pub(super) lines: &'static [&'static str],
    pub(super) trace: bool,
}

const fn shape(level: &'static str, thread: &'static str, lines: &'static [&'static str]) -> Shape {
    Shape { level, thread, lines, trace: false }
}

const fn traced(level: &'static str, thread: &'static str, lines: &'static [&'static str]) -> Shape {
    Shape { level, thread, lines, trace: true }
}

pub(super) type FaultTable = &'static [(&'static str, &'static [Shape])];

/// Which faults a component's logs get, following the rules' `components`.
pub(super) fn faults_for(component: &str) -> FaultTable {
    match component {
        "acopswareexecutor" => &[
            (DISPATCH, DISPATCH_SHAPES),
            (TASK_TIMEOUT, TASK_SHAPES),
            (HEALTHCHECK, HEALTHCHECK_SHAPES),
            (OPENAPI, OPENAPI_SHAPES),
            (ALB, ALB_SHAPES),
        ],
        "acstarserver2" => &[(DISPATCH, DISPATCH_SHAPES)],
        "acopswareorchestration" => &[(DISPATCH, DISPATCH_SHAPES), (TASK_TIMEOUT, TASK_SHAPES)],
        "aciaasconnectore" => &[(OPENAPI, OPENAPI_SHAPES), (ALB, ALB_SHAPES)],
        "staragent" => &[(TASK_TIMEOUT, TASK_SHAPES), (HEALTHCHECK, HEALTHCHECK_SHAPES)],
        _ => &[],
    }
}

/// The noise events of a log layout.
pub(super) fn noise_for(kind: LogKind) -> &'static [Shape] {
    match kind {
        LogKind::CommonError => COMMON_ERROR_NOISE,
        LogKind::Default => DEFAULT_NOISE,
        LogKind::Staragent => STARAGENT_NOISE,
    }
}

/// The near misses of a component's logs: literals its rules must not match.
pub(super) fn near_misses_for(component: &str) -> &'static [Shape] {
    match component {
        "acopswareexecutor" => NEAR_EXECUTOR,
        "acstarserver2" => NEAR_DISPATCH,
        "acopswareorchestration" => NEAR_ORCHESTRATION,
        "aciaasconnectore" => NEAR_TRAFFIC,
        "staragent" => NEAR_STARAGENT,
        _ => NEAR_OUT_OF_SCOPE,
    }
}

// Faults: each shape matches its own rule and no other (see the rules' `match` examples).

const DISPATCH_SHAPES: &[Shape] = &[
    shape(
        "ERROR",
        "opsware-executor",
        &[
            "[{order}] dispatch task {task} to {ip} failed: network error, send msg failed",
            "com.alipay.cafe.opsware.executor.CommandSendException: send msg failed, target={ip}",
            "\tat com.alipay.cafe.opsware.executor.channel.StarChannel.send(StarChannel.java:214)",
            "\tat com.alipay.cafe.opsware.executor.dispatch.TaskDispatcher.dispatch(TaskDispatcher.java:88)",
            "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
            "Caused by: java.net.ConnectException: Connection refused: acstarserver2.internal/{ip}:8000",
            "\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)",
            "\t... 12 more",
        ],
    ),
    shape("ERROR", "opsware-executor", &["[{order}] dispatch task {task} to {ip} failed: networkerror/sendmsg failed"]),
    shape("WARN", "channel", &["SendMsg Failed to agent {ip}, channel closed"]),
    shape("ERROR", "opsware-executor", &["运维任务下发失败 task {task} ip={ip} 发布单 {order}"]),
    shape(
        "ERROR",
        "gw-channel",
        &[
            "network error: send task {task} to agent {ip} failed, channel inactive",
            "io.netty.channel.StacklessClosedChannelException",
            "\tat io.netty.channel.AbstractChannel$AbstractUnsafe.write(Object, ChannelPromise)(Unknown Source)",
        ],
    ),
    shape(
        "ERROR",
        "opsware-executor",
        &[
            "dispatch task {task} failed",
            "com.alipay.cafe.opsware.executor.CommandSendException: send msg failed, target={ip}",
            "\tat com.alipay.cafe.opsware.executor.dispatch.Dispatcher.send(Dispatcher.java:88)",
        ],
    ),
];

const TASK_SHAPES: &[Shape] = &[
    shape("ERROR", "task-runner", &["task {open_task} end ip={ip} status=FAILED cost={ms}ms reason=python runtimeout"]),
    shape(
        "ERROR",
        "task-runner",
        &["job {open_task} failed: python run time out, cmd=/home/admin/bin/batch_download.py"],
    ),
    shape("ERROR", "worker", &["task {open_task} result: Python RunTimeout after 90s"]),
    shape("WARN", "task-runner", &["execute /home/admin/bin/deploy_v2.py on {ip} failed, run time out"]),
];

/// A timeout of the check step is a health check timeout, not a task timeout.
const HEALTHCHECK_SHAPES: &[Shape] = &[
    shape("ERROR", "worker", &["task {open_task} failed: python run time out, cmd=/home/admin/bin/checkapp_v2.py"]),
    shape("WARN", "task-runner", &["healthcheck job {open_task} on {ip}: runtimeout"]),
];

const OPENAPI_SHAPES: &[Shape] = &[
    shape(
        "ERROR",
        "iaas-call",
        &[
            "call openapi failed, product=Slb action=RemoveBackendServers region=cn-hangzhou-fin LoadBalancerId=lb-{hex}",
            "com.aliyuncs.exceptions.ClientException: SDK.ServerUnreachable : Server unreachable: connection http://slb.cn-hangzhou-fin.aliyuncs.com failed",
            "\tat com.aliyuncs.DefaultAcsClient.doAction(DefaultAcsClient.java:389)",
            "\tat com.alipay.cafe.iaas.aliyun.SlbClient.removeBackendServers(SlbClient.java:142)",
        ],
    ),
    shape(
        "ERROR",
        "iaas-call",
        &[
            "SetBackendServers LoadBalancerId=lb-{hex} weight=0 failed",
            "com.aliyuncs.exceptions.ServerException: Throttling : Request was denied due to request throttling.",
            "RequestId : {rid}",
        ],
    ),
    shape("ERROR", "iaas-call", &["切除流量失败 app={app} ip={ip} lb=lb-{hex}"]),
    shape("WARN", "iaas-call", &["AddVServerGroupBackendServers error: ServiceUnavailable, RequestId={rid}"]),
];

const ALB_SHAPES: &[Shape] = &[
    shape(
        "ERROR",
        "iaas-call",
        &[
            "call openapi failed, product=Alb action=RemoveServersFromServerGroup ServerGroupId=sgp-{hex} region=cn-hangzhou-fin",
        ],
    ),
    shape(
        "ERROR",
        "iaas-call",
        &[
            "AddServersToServerGroup failed",
            "com.aliyun.tea.TeaException: code: 409, The specified resource is in an incorrect status. request id: {rid}",
            "\tat com.aliyun.tea.TeaModel.toModel(TeaModel.java:225)",
        ],
    ),
    shape("ERROR", "iaas-call", &["恢复流量失败 ALB server group sgp-{hex} ip={ip}"]),
    shape("WARN", "iaas-call", &["UpdateServerGroupServersAttribute weight=0 error: Throttling.User"]),
];

// Near misses: the rules' own `no_match` examples, or a literal at a level or in a component
// that the rule does not cover.

const NEAR_DISPATCH: &[Shape] = &[
    shape("INFO", "opsware-executor", &["send msg failed counter reset to 0"]),
    shape("WARN", "opsware-executor", &["send msg failed, retry 1/3 ... retry succeeded"]),
];

const NEAR_EXECUTOR: &[Shape] = &[
    NEAR_DISPATCH[0],
    NEAR_DISPATCH[1],
    NEAR_TASK[0],
    NEAR_TASK[1],
    NEAR_TRAFFIC[0],
    NEAR_TRAFFIC[1],
    NEAR_TRAFFIC[3],
];

const NEAR_ORCHESTRATION: &[Shape] = &[NEAR_DISPATCH[0], NEAR_DISPATCH[1], NEAR_TASK[1], NEAR_TASK[2]];

const NEAR_TASK: &[Shape] = &[
    shape("INFO", "task-runner", &["task {task} start ip={ip} python runtimeout=90s"]),
    shape("ERROR", "task-runner", &["task {open_task} end ip={ip} status=FAILED reason=exit code 1, runtimeout=90s"]),
    shape("WARN", "config", &["set python runtimeout to 120 for app {app}"]),
];

const NEAR_STARAGENT: &[Shape] = &[NEAR_TASK[0], NEAR_TASK[2]];

const NEAR_TRAFFIC: &[Shape] = &[
    shape(
        "INFO",
        "iaas-call",
        &["call openapi success, product=Slb action=RemoveBackendServers region=cn-hangzhou-fin"],
    ),
    shape("WARN", "iaas-call", &["RemoveBackendServers took {ms}ms"]),
    shape("INFO", "iaas-call", &["call openapi success, product=Alb action=RemoveServersFromServerGroup"]),
    shape("WARN", "iaas-call", &["AddServersToServerGroup took {ms}ms, slow"]),
];

/// Traffic and dispatch words in the logs of components those rules are not scoped to.
const NEAR_OUT_OF_SCOPE: &[Shape] = &[
    shape("ERROR", "console-web", &["[{order}] RemoveBackendServers failed: Throttling, shown to the user"]),
    shape("ERROR", "mq-producer", &["send msg failed to topic TP_CAS_META_CHANGE, will resend"]),
];

// Noise: never a literal of the pack (no send/sendmsg/network-error wording, no "run time",
// no SLB or ALB action names, no traffic failure words).

pub(super) const COMMON_ERROR_NOISE: &[Shape] = &[
    shape("ERROR", "opsware-executor", &["[{order}] query executor_bash_task slow: {ms}ms"]),
    shape("ERROR", "opsware-executor", &["release step check returned non-zero: exit {n}"]),
    shape("ERROR", "", &["SOFABoot HealthChecker readiness check result: failed."]),
    traced(
        "ERROR",
        "Bolt-default-executor-2-thread",
        &["[RpcRequestProcessor#245] AYSNC process rpc request failed in RpcRequestProcessor, id={n}"],
    ),
    shape("ERROR", "opsware-flow", &["get lock of flow node {node} failed, owner={ip}"]),
    traced("ERROR", "opsware-flow", &["发布单 {order} 的节点 {node} 执行异常，等待人工确认"]),
    shape("ERROR", "opsware-executor", &["update release order {order} status to FAILED: optimistic lock conflict"]),
    traced("ERROR", "druid-pool", &["DB connection pool exhausted, active={n} max=50"]),
    shape("ERROR", "opsware-executor", &["dispatch task {task} to {ip} failed: agent version too old"]),
    shape("ERROR", "iaas-call", &["describe regions timed out after 3000ms, will retry"]),
    traced("ERROR", "meta-client", &["调用元数据服务失败 app={app} code=SYSTEM_ERROR"]),
    shape("ERROR", "scheduler", &["[{order}] 查询任务 {task} 状态超时，稍后重试"]),
    traced("ERROR", "opsware-executor", &["[{order}] execute flow node {node} failed"]),
    shape("WARN", "health", &["health check of {app} on {ip} returned 503"]),
];

pub(super) const DEFAULT_NOISE: &[Shape] = &[
    shape("INFO", "task-runner", &["task {task} start ip={ip} cmd=/home/admin/bin/{script}"]),
    shape("INFO", "task-runner", &["task {open_task} end ip={ip} status=SUCCESS cost={ms}ms"]),
    shape(
        "INFO",
        "iaas-call",
        &["call openapi success, product=Ecs action=DescribeInstances region=cn-hangzhou-fin cost={ms}ms"],
    ),
    shape("INFO", "opsware-flow", &["release order {order} node {node} state RUNNING -> SUCCESS"]),
    shape("INFO", "opsware-flow", &["发布单 {order} 开始执行，节点 {node}"]),
    shape("INFO", "health", &["应用 {app} 健康检查通过 ip={ip}"]),
    shape("INFO", "gw-channel", &["receive heartbeat from agent {ip}, delay={ms}ms"]),
    shape("DEBUG", "rpc-client", &["invoke com.alipay.cafe.meta.facade.AppQueryFacade#queryApp app={app} cost={ms}ms"]),
    shape("WARN", "druid-pool", &["slow sql: select id, status from executor_bash_task where id = {task} cost {ms}ms"]),
    shape("WARN", "gw-channel", &["agent {ip} heartbeat delay {ms}ms exceeds 30000ms"]),
    shape("INFO", "opsware-executor", &["[{order}] dispatch task {task} to {ip} ok, agent accepted"]),
    shape("INFO", "", &["Started SOFABoot application in {n}.{n} seconds (JVM running for {n}.{n})"]),
];

pub(super) const STARAGENT_NOISE: &[Shape] = &[
    shape("INFO", "heartbeat", &["report heartbeat to {ip}:8000 ok"]),
    shape("INFO", "heartbeat", &["report heartbeat to {ip}:8000 ok"]),
    shape("INFO", "heartbeat", &["heartbeat ack from server, rtt={n}ms"]),
    shape(
        "INFO",
        "worker",
        &["recv task jobId={task} exeurl=cmd:///home/admin/bin/{script} --app {app} --version 1.2.{n} timeout=90"],
    ),
    shape("INFO", "worker", &["recv task jobId={task} {exejson}"]),
    shape("INFO", "worker", &["task {open_task} result: success, cost={ms}ms"]),
    shape("WARN", "worker", &["task {open_task} result: exit code 1, cmd=/home/admin/bin/checkapp_v2.py"]),
    shape("DEBUG", "io", &["channel write {n} bytes to {ip}:8000"]),
];

pub(super) const BUSINESS_APPS: &[&str] =
    &["trade-center", "pay-gateway", "member-web", "risk-engine", "notify-svc", "ledger-core", "foo"];

pub(super) const SCRIPTS: &[&str] =
    &["deploy_v2.py", "checkapp_v2.py", "batch_download.py", "start_v2.py", "stop_v2.py", "techstack_install.py"];

pub(super) const EXCEPTIONS: &[&str] = &[
    "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
    "com.alipay.sofa.rpc.core.exception.SofaTimeOutException: com.alipay.remoting.rpc.exception.InvokeTimeoutException: Rpc invocation timeout[responseCommand TIMEOUT]! the address is {ip}:12200",
    "org.springframework.dao.DuplicateKeyException: Duplicate entry '{task}' for key 'uk_task_id'",
    "java.lang.IllegalStateException: flow node {node} is not in RUNNING state",
    "com.alipay.cafe.opsware.common.exception.OpswareException: 发布单状态不合法: {order}",
    "java.lang.NullPointerException",
    "java.net.SocketTimeoutException: Read timed out",
];

pub(super) const CAUSES: &[&str] = &[
    "java.net.ConnectException: Connection refused: {ip}:3306",
    "java.io.IOException: Broken pipe",
    "com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure",
    "java.util.concurrent.TimeoutException: Waited 3000 milliseconds for com.alipay.sofa.rpc.message.ResponseFuture",
];

pub(super) const FRAMES: &[&str] = &[
    "com.alipay.cafe.opsware.executor.dispatch.TaskDispatcher.dispatch(TaskDispatcher.java:88)",
    "com.alipay.cafe.opsware.flow.engine.FlowEngine.execute(FlowEngine.java:311)",
    "com.alipay.cafe.opsware.flow.node.NodeRunner.run(NodeRunner.java:97)",
    "com.alipay.cafe.meta.client.MetaClient.queryApp(MetaClient.java:156)",
    "com.alipay.sofa.rpc.client.AbstractCluster.doSendMsg(AbstractCluster.java:403)",
    "com.alipay.sofa.rpc.client.FailoverCluster.doInvoke(FailoverCluster.java:66)",
    "com.alipay.sofa.rpc.proxy.jdk.JDKInvocationHandler.invoke(JDKInvocationHandler.java:57)",
    "com.sun.proxy.$Proxy142.queryApp(Unknown Source)",
    "org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:617)",
    "org.springframework.transaction.support.TransactionTemplate.execute(TransactionTemplate.java:140)",
    "org.apache.ibatis.executor.SimpleExecutor.doUpdate(SimpleExecutor.java:54)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)",
    "sun.reflect.GeneratedMethodAccessor312.invoke(Unknown Source)",
    "java.util.concurrent.FutureTask.run(FutureTask.java:266)",
    "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
    "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
    "java.lang.Thread.run(Thread.java:748)",
];
