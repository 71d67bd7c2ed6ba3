import { describe, expect, it } from "vitest";
import { errorText } from "../../../kiosk-ui/labels.js";

describe("the gateway's errors, Chinese first", () => {
  it.each([
    [429, "too many failed logins: try again in 42 s", "登录失败次数过多，请 42 秒后再试"],
    [409, "the last admin cannot be made a guard", "不能把最后一位管理员改为值守"],
    [409, "the last admin cannot be deleted", "不能删除最后一位管理员"],
    [409, "pass 0012345678 already exists", "出入证 0012345678 已存在"],
    [409, "user guard2 already exists", "用户 guard2 已存在"],
    [404, "no pass 0099", "没有出入证 0099"],
    [404, "no passage gw-1:5", "没有通行记录 gw-1:5"],
    [422, "config refused: screening.fever_above_c: expected number", "配置文件有误"],
    [400, "line 1: the header needs pass_id,holder_name; missing holder_name", "第1行表头不对"],
    [400, "the file is not valid utf-8 text", "文件编码无法识别"],
    [400, "body.password: must be at least 8 characters", "填写有误"],
    [403, "needs role admin", "没有权限"],
    [401, "login required", "请先登录"],
  ])("%i %s", (status, message, chinese) => {
    const text = errorText(status, message);
    expect(text.startsWith(chinese)).toBe(true);
    // The gateway's own words stay, after the Chinese, for whoever reads the logs.
    expect(text.endsWith(message)).toBe(true);
  });

  it("falls back on the status, and on a plain 'not done' for the rest", () => {
    expect(errorText(413, "request entity too large")).toBe("文件太大 request entity too large");
    expect(errorText(500, "internal error")).toBe("服务器出错，未能完成 internal error");
  });
});
